using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Bridgekeeper.Api;

/// <summary>
/// The OpenAPI 3.1 document of the REST API at <c>GET /api/v1/openapi.json</c> (SPEC §3), built by ASP.NET's own
/// generator from the mapped <c>/api/v1</c> routes and <see cref="ApiOperations"/>. Public like the proxy's CA
/// certificate: it describes the surface and holds no data.
/// </summary>
internal static class ApiDocument
{
    public const string Path = "/api/v1/openapi.json";

    /// <summary>The security schemes' names in <c>components.securitySchemes</c>.</summary>
    public const string BearerScheme = "bearer";
    public const string ApiKeyScheme = "api_key";
    public const string SessionScheme = "session";

    /// <summary>The dashboard's session cookie.</summary>
    public const string SessionCookie = "bridgekeeper_session";

    private const string RoutePrefix = "api/v1/";

    /// <summary>ASP.NET's default document name, the key its document services are registered under.</summary>
    private const string DocumentName = "v1";

    private const OpenApiSpecVersion Version = OpenApiSpecVersion.OpenApi3_1;

    public static IServiceCollection AddApiDocument(this IServiceCollection services)
    {
        // The generator reads the schemas' names off the minimal-API JSON options (it has no options of its own), so
        // they must name properties as ApiJsonContext does. No route serializes through these options: every one
        // passes its JsonTypeInfo, so what the API emits does not change; the document only learns to describe it.
        services.ConfigureHttpJsonOptions(json =>
        {
            var api = ApiJsonContext.Default.Options;
            json.SerializerOptions.PropertyNamingPolicy = api.PropertyNamingPolicy;
            // Strict: the web default (numbers may be read from strings) would make every long "integer or string".
            json.SerializerOptions.NumberHandling = api.NumberHandling;
            json.SerializerOptions.DefaultIgnoreCondition = api.DefaultIgnoreCondition;
            foreach (var converter in api.Converters)
                json.SerializerOptions.Converters.Add(converter);
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            json.SerializerOptions.TypeInfoResolverChain.Insert(1, McpJsonContext.Default);
        });
        services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = Version;
            options.ShouldInclude = description => description.RelativePath?.StartsWith(RoutePrefix, StringComparison.Ordinal) == true;
            options.AddDocumentTransformer(static (document, _, _) =>
            {
                Describe(document);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(new ApiOperationTransformer());
            options.AddSchemaTransformer(ApiOperationTransformer.AsWrittenAsync);
        });
        return services;
    }

    /// <summary>
    /// Serves the document, built on the first request and then kept: the routes are fixed once the app runs, and the
    /// document leaves out the request's server, so one build serves everyone. (<c>MapOpenApi</c> builds it anew on every
    /// request, some 20 ms of CPU that anyone could ask for without a key.)
    /// </summary>
    public static IEndpointRouteBuilder MapApiDocument(this IEndpointRouteBuilder app)
    {
        var provider = app.ServiceProvider.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
        byte[]? json = null;
        app.MapGet(Path, async context =>
        {
            json ??= await BuildAsync(provider, context.RequestAborted);     // two first requests at once build it twice, harmlessly
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = json.Length;
            await context.Response.Body.WriteAsync(json, context.RequestAborted);
        }).ExcludeFromDescription();
        return app;
    }

    private static async Task<byte[]> BuildAsync(IOpenApiDocumentProvider provider, CancellationToken cancellationToken)
    {
        var document = await provider.GetOpenApiDocumentAsync(cancellationToken);
        using var buffer = new MemoryStream();
        await document.SerializeAsJsonAsync(buffer, Version, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>The document's title, tags and security schemes; its servers are left out, so paths are relative to where it was fetched.</summary>
    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Bridgekeeper REST API",
            Version = "v1",
            Description = "The audit trail, usage, users and keys, and MCP tools of a Bridgekeeper gateway. Every route but the sign-in "
                + "and the proxy's CA certificate needs a Bridgekeeper key (Authorization: Bearer KEY or X-Api-Key: KEY) or the "
                + "dashboard's session cookie. Members see only their own data; auditors see everything and change nothing; admins "
                + "manage users and keys. Timestamps are RFC 3339 in UTC. Every error is {\"error\":{\"code\",\"message\"}}.",
        };
        document.Servers = [];
        document.Tags = new HashSet<OpenApiTag>(ApiOperations.Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "bk_…",
                Description = "A Bridgekeeper key: Authorization: Bearer bk_….",
            },
            [ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "A Bridgekeeper key in the X-Api-Key header, as Claude Code sends it.",
            },
            [SessionScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = SessionCookie,
                Description = "The dashboard's session, from POST /api/v1/session. A request with it that changes something "
                    + "(POST, PUT, PATCH, DELETE) must also send the session's csrf_token as X-CSRF-Token.",
            },
        };
    }
}
