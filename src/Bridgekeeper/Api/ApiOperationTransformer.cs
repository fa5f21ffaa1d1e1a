using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Bridgekeeper.Api;

/// <summary>
/// Writes an <see cref="ApiOperations"/> entry into the operation ASP.NET generated for its route: summary,
/// parameters, request body, answers and security. Schemas come from ASP.NET's own generator
/// (<see cref="OpenApiOperationTransformerContext.GetOrCreateSchemaAsync"/>), which inlines every nested type; each type
/// is moved to <c>components.schemas</c> under its schema id and referenced, so a type is described once.
/// </summary>
internal sealed class ApiOperationTransformer : IOpenApiOperationTransformer
{
    private const string Json = "application/json";

    /// <summary>The metadata key under which ASP.NET keeps the component id of a generated schema.</summary>
    private const string SchemaIdKey = "x-schema-id";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        if (ApiOperations.Find(description.HttpMethod ?? "", "/" + description.RelativePath) is not { } entry)
            return;                                              // no summary then; OpenApiTests fails on it
        var document = context.Document ?? throw new InvalidOperationException("ASP.NET passed an operation transformer no document.");
        operation.OperationId = entry.Id;
        operation.Summary = entry.Summary;
        operation.Description = entry.Description;
        operation.Tags = new HashSet<OpenApiTagReference> { new(entry.Tag, document) };
        operation.Parameters = [.. entry.Parameters.Select(Parameter)];
        operation.RequestBody = entry.Body is { } body ? await RequestBodyAsync(body, context, cancellationToken) : null;
        operation.Responses = [];
        foreach (var response in entry.Responses.Concat(Implied(entry.Access)).DistinctBy(r => r.Status).OrderBy(r => r.Status))
            operation.Responses[response.Status.ToString(CultureInfo.InvariantCulture)] = await ResponseAsync(response, context, cancellationToken);
        operation.Security = Security(entry.Access, document);
    }

    /// <summary>
    /// Makes a generated schema say what the JSON contexts write. Timestamps are strings (RFC 3339 UTC,
    /// <see cref="Rfc3339TimestampConverter"/>); seeing a custom converter, the generator knows only their format. And
    /// every property is always written, null ones too, so all are required (the generator requires only the
    /// constructor parameters without a default). Request bodies get theirs from the table instead.
    /// </summary>
    public static Task AsWrittenAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?))
        {
            schema.Type = type == typeof(DateTimeOffset) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
        }
        if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object && schema.Properties is { Count: > 0 } properties
            && context.JsonTypeInfo.Options.DefaultIgnoreCondition == JsonIgnoreCondition.Never)
            schema.Required = new HashSet<string>(properties.Keys, StringComparer.Ordinal);
        return Task.CompletedTask;
    }

    /// <summary>The answers every operation of this access has, unless its entry lists the status itself.</summary>
    private static IEnumerable<ApiResponse> Implied(ApiAccess access)
    {
        if (access == ApiAccess.Public)
            yield break;
        if (access == ApiAccess.Session)
        {
            yield return ApiResponse.Error(401, "No session cookie, or the session has ended or was signed out.");
            yield break;
        }
        yield return ApiResponse.Error(401, "A valid key (Authorization: Bearer KEY or X-Api-Key: KEY) or dashboard session is required.");
        if (access == ApiAccess.Admin)
            yield return ApiResponse.Error(403, "This route is for admins.");
        yield return ApiResponse.Throttled("Too many failed authentications from this address.");
        yield return ApiResponse.Error(503, "The gateway cannot verify keys right now; retry shortly.");
    }

    private static List<OpenApiSecurityRequirement>? Security(ApiAccess access, OpenApiDocument document)
    {
        string[] schemes = access switch
        {
            ApiAccess.Public => [],
            ApiAccess.Session => [ApiDocument.SessionScheme],
            _ => [ApiDocument.BearerScheme, ApiDocument.ApiKeyScheme, ApiDocument.SessionScheme],
        };
        // Requirements are alternatives: any one of them will do.
        return schemes.Length == 0 ? null : [.. schemes.Select(s => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(s, document)] = [] })];
    }

    private static OpenApiParameter Parameter(ApiParameter parameter) => new()
    {
        Name = parameter.Name,
        In = parameter.In switch
        {
            ApiParameterIn.Path => ParameterLocation.Path,
            ApiParameterIn.Header => ParameterLocation.Header,
            _ => ParameterLocation.Query,
        },
        Description = parameter.Description,
        Required = parameter.Required,
        Schema = new OpenApiSchema
        {
            Type = parameter.Integer ? JsonSchemaType.Integer : JsonSchemaType.String,
            Format = parameter.Integer ? "int32" : parameter.Format,
            Minimum = parameter.Minimum?.ToString(CultureInfo.InvariantCulture),
            Maximum = parameter.Maximum?.ToString(CultureInfo.InvariantCulture),
            Enum = parameter.Values?.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
            Default = parameter.Default is not { } value ? null
                : parameter.Integer ? JsonValue.Create(int.Parse(value, CultureInfo.InvariantCulture)) : JsonValue.Create(value),
        },
    };

    private static async Task<OpenApiRequestBody> RequestBodyAsync(ApiBody body, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
        // The request records' properties are all nullable (a missing one is a 400 with a message, not a parse error),
        // so what a valid request must hold comes from the table.
        schema.Required = new HashSet<string>(body.Required, StringComparer.Ordinal);
        return new OpenApiRequestBody
        {
            Description = body.Description,
            Required = !body.Optional,
            Content = new Dictionary<string, OpenApiMediaType> { [Json] = new() { Schema = Componentize(schema, context.Document!) } },
        };
    }

    private static async Task<OpenApiResponse> ResponseAsync(ApiResponse response, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var content = new Dictionary<string, OpenApiMediaType>();
        if (response.Json is { } type)
            content[Json] = new() { Schema = Componentize(await context.GetOrCreateSchemaAsync(type, null, cancellationToken), context.Document!) };
        if (response.Text is { } mediaType)
            content[mediaType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        return new OpenApiResponse
        {
            Description = response.Description,
            Content = content.Count == 0 ? null : content,
            Headers = response.Headers.Count == 0 ? null : response.Headers.ToDictionary(h => h.Key,
                h => (IOpenApiHeader)new OpenApiHeader { Description = h.Value, Schema = new OpenApiSchema { Type = JsonSchemaType.String } }),
        };
    }

    /// <summary>
    /// Moves every schema that has a schema id (each of our records) into <c>components.schemas</c>, the first time it
    /// is seen, and returns a reference to it; arrays and primitives stay inline.
    /// </summary>
    private static IOpenApiSchema Componentize(IOpenApiSchema schema, OpenApiDocument document)
    {
        if (schema is not OpenApiSchema concrete)
            return schema;
        if (concrete.Properties is { } properties)
            foreach (var name in properties.Keys.ToList())
                properties[name] = Componentize(properties[name], document);
        if (concrete.Items is { } items)
            concrete.Items = Componentize(items, document);
        if (concrete.AdditionalProperties is { } values)
            concrete.AdditionalProperties = Componentize(values, document);
        if (concrete.Type is null && concrete.Properties is null)
            return concrete;                                     // any JSON (a JsonElement): nothing to name
        if (concrete.Metadata is not { } metadata || !metadata.TryGetValue(SchemaIdKey, out var value) || value is not string { Length: > 0 } id)
            return concrete;
        if (document.Components?.Schemas?.ContainsKey(id) != true)
            document.AddComponent(id, concrete);
        return new OpenApiSchemaReference(id, document);
    }
}
