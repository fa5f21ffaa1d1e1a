using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bridgekeeper.Api;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// <c>GET /api/v1/openapi.json</c> on a real gateway: public, valid OpenAPI 3.x, exactly the <c>/api/v1</c> routes the
/// gateway maps (read off its endpoints, not off the table), each fully described, and with schemas whose property
/// names and types are what real responses of the same gateway hold.
/// </summary>
public sealed partial class OpenApiTests : GatewayTest
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    [Fact]
    public async Task Document_WithoutAKey_ParsesAsOpenApi3WithoutErrors()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = Gateway.CreateClient(key: null);

        using var response = await anonymous.GetAsync(ApiDocument.Path, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var read = OpenApiDocument.Parse(text, OpenApiConstants.Json, new OpenApiReaderSettings());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("3.", JsonDocument.Parse(text).RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.NotNull(read.Document);
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.True(read.Diagnostic!.SpecificationVersion is OpenApiSpecVersion.OpenApi3_0 or OpenApiSpecVersion.OpenApi3_1, $"{read.Diagnostic.SpecificationVersion}");
    }

    [Fact]
    public async Task Document_Operations_AreExactlyTheApiRoutesTheGatewayMaps()
    {
        var document = await DocumentAsync();

        var described = Operations(document).Select(o => $"{o.Method} {o.Path}").Order(StringComparer.Ordinal);

        Assert.Equal(string.Join('\n', MappedApiRoutes().Order(StringComparer.Ordinal)), string.Join('\n', described));
    }

    [Fact]
    public async Task Document_EveryOperation_HasASummaryParametersA2xxAndErrorsInTheErrorShape()
    {
        var document = await DocumentAsync();

        foreach (var (method, path, operation) in Operations(document))
        {
            var at = $"{method} {path}";
            Assert.False(string.IsNullOrWhiteSpace(operation.TryGetProperty("summary", out var summary) ? summary.GetString() : null), $"{at}: no summary");
            var parameters = operation.TryGetProperty("parameters", out var list) ? list.EnumerateArray().ToList() : [];
            var inPath = parameters.Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString());
            Assert.Equal($"{at}: {string.Join(",", PathParameters(path))}", $"{at}: {string.Join(",", inPath)}");
            foreach (var parameter in parameters)
            {
                Assert.False(string.IsNullOrWhiteSpace(parameter.GetProperty("description").GetString()), $"{at}: {parameter} has no description");
                Assert.True(parameter.GetProperty("schema").TryGetProperty("type", out _), $"{at}: {parameter} has no type");
            }
            var responses = operation.GetProperty("responses").EnumerateObject().ToList();
            Assert.Contains(responses, r => r.Name.StartsWith('2'));
            foreach (var error in responses.Where(r => r.Name[0] is '4' or '5'))
            {
                var schema = Resolve(document, error.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema"));
                var body = Resolve(document, schema.GetProperty("properties").GetProperty("error"));
                Assert.Equal($"{at} {error.Name}: error", $"{at} {error.Name}: {string.Join(",", PropertyNames(schema))}");
                Assert.Equal($"{at} {error.Name}: code,message", $"{at} {error.Name}: {string.Join(",", PropertyNames(body))}");
            }
        }
    }

    [Fact]
    public async Task ListInterceptions_DescribesEveryQueryParameterItsHandlerReads()
    {
        var document = await DocumentAsync();

        var operation = document.GetProperty("paths").GetProperty("/api/v1/interceptions").GetProperty("get");
        var query = operation.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").ToList();

        Assert.Equal(["user", "provider", "model", "client", "since", "until", "limit", "cursor"], query.Select(p => p.GetProperty("name").GetString()));
        Assert.All(query, p => Assert.False(p.TryGetProperty("required", out var required) && required.GetBoolean()));
        var limit = query.Single(p => p.GetProperty("name").GetString() == "limit").GetProperty("schema");
        Assert.Equal(("integer", 1, 1000, 50), (limit.GetProperty("type").GetString(), limit.GetProperty("minimum").GetInt32(),
            limit.GetProperty("maximum").GetInt32(), limit.GetProperty("default").GetInt32()));
    }

    [Fact]
    public async Task Me_SchemaHasExactlyThePropertiesOfARealResponse()
    {
        var document = await DocumentAsync();
        using var admin = Gateway.CreateClient(Gateway.AdminKey);

        var me = await GetJsonAsync(admin, "/api/v1/me");
        var schema = Resolve(document, SuccessSchema(document, "get", "/api/v1/me"));

        Assert.Equal(string.Join(",", me.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)), string.Join(",", PropertyNames(schema)));
        AssertMatches(document, schema, me, "/api/v1/me");
    }

    [Fact]
    public async Task UsageRow_SchemaHasExactlyThePropertiesOfARealRow()
    {
        var document = await DocumentAsync();
        await SendAsync(await Gateway.CreateKeyAsync("bob"), "hello", "sess-1");
        await Gateway.WaitForEndedAsync();
        using var admin = Gateway.CreateClient(Gateway.AdminKey);

        var row = (await GetJsonAsync(admin, "/api/v1/usage?group_by=model")).GetProperty("rows")[0];
        var rows = Resolve(document, SuccessSchema(document, "get", "/api/v1/usage")).GetProperty("properties").GetProperty("rows");
        var schema = Resolve(document, rows.GetProperty("items"));

        Assert.Equal(string.Join(",", row.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)), string.Join(",", PropertyNames(schema)));
        AssertMatches(document, schema, row, "usage row");
    }

    /// <summary>Every read route's real answer, after an exchange with a prompt, a tool call and a session, matches its schema all the way down.</summary>
    [Fact]
    public async Task ReadRoutes_RealAnswers_MatchTheirSchemasAllTheWayDown()
    {
        var document = await DocumentAsync();
        await SendAsync(await Gateway.CreateKeyAsync("bob"), "list the files", "sess-1", ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", """name=Bash;args={"command":"ls"}"""));
        var interception = await Gateway.WaitForEndedAsync();
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        var adminName = (await GetJsonAsync(admin, "/api/v1/me")).GetProperty("name").GetString();

        (string Pattern, string Path)[] routes =
        [
            ("/api/v1/me", "/api/v1/me"),
            ("/api/v1/interceptions", "/api/v1/interceptions"),
            ("/api/v1/interceptions/{id}", $"/api/v1/interceptions/{interception.GetProperty("id").GetString()}"),
            ("/api/v1/usage", "/api/v1/usage?group_by=day"),
            ("/api/v1/sessions", "/api/v1/sessions"),
            ("/api/v1/sessions/{id}", "/api/v1/sessions/sess-1"),
            ("/api/v1/users", "/api/v1/users"),
            ("/api/v1/users/{name}/mcp-tokens", $"/api/v1/users/{adminName}/mcp-tokens"),
            ("/api/v1/mcp/tools", "/api/v1/mcp/tools"),
            ("/api/v1/mcp/servers", "/api/v1/mcp/servers"),
            ("/api/v1/session", "/api/v1/session"),
            ("/api/v1/users/{name}/keys", "/api/v1/users/bob/keys"),
        ];
        foreach (var (pattern, path) in routes)
            AssertMatches(document, SuccessSchema(document, "get", pattern), await GetJsonAsync(admin, path), path);
        Assert.NotEmpty(interception.GetProperty("tool_usages").EnumerateArray());   // the deep part was there to compare
    }

    /// <summary>
    /// Every entry of <see cref="ApiOperations"/> names a route the gateway maps, so a stale entry fails here.
    /// </summary>
    [Fact]
    public void Table_EveryEntry_IsAMappedRoute()
    {
        var mapped = MappedApiRoutes();

        var stale = ApiOperations.All.Select(o => o.Key).Where(key => !mapped.Contains(key)).ToList();

        Assert.True(stale.Count == 0, $"ApiOperations entries without a mapped route: {string.Join("; ", stale)}");
    }

    [Fact]
    public void Table_Entries_HaveUniqueIdsKnownTagsAndTheirPatternsPathParameters()
    {
        Assert.Equal(ApiOperations.All.Count, ApiOperations.All.Select(o => o.Id).Distinct(StringComparer.Ordinal).Count());
        foreach (var entry in ApiOperations.All)
        {
            Assert.Contains(entry.Tag, ApiOperations.Tags.Select(t => t.Name));
            var inPath = entry.Parameters.Where(p => p.In == ApiParameterIn.Path).Select(p => p.Name);
            Assert.Equal($"{entry.Key}: {string.Join(",", PathParameters(entry.Pattern))}", $"{entry.Key}: {string.Join(",", inPath)}");
            Assert.Contains(entry.Responses, r => r.Status is >= 200 and < 300);
        }
    }

    /// <summary>The gateway's own <c>/api/v1</c> endpoints as <c>METHOD pattern</c>, but the document's own route (it does not describe itself).</summary>
    private HashSet<string> MappedApiRoutes() =>
        [.. Gateway.App.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.StartsWith("/api/v1/", StringComparison.Ordinal) && raw != ApiDocument.Path)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {e.RoutePattern.RawText}"))];

    private async Task<JsonElement> DocumentAsync()
    {
        using var anonymous = Gateway.CreateClient(key: null);
        return await GetJsonAsync(anonymous, ApiDocument.Path);
    }

    private static IEnumerable<(string Method, string Path, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from operation in path.Value.EnumerateObject()
        where Methods.Contains(operation.Name)
        select (operation.Name.ToUpperInvariant(), path.Name, operation.Value);

    private static JsonElement SuccessSchema(JsonElement document, string method, string path) =>
        document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses")
            .EnumerateObject().First(r => r.Name.StartsWith('2')).Value.GetProperty("content").GetProperty("application/json").GetProperty("schema");

    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;

    private static IEnumerable<string> PropertyNames(JsonElement schema) =>
        schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);

    private static IEnumerable<string> PathParameters(string pattern) => PathParameter().Matches(pattern).Select(m => m.Groups[1].Value);

    /// <summary>
    /// The value is what the schema says: its JSON type is one the schema allows, an object has exactly the schema's
    /// properties (every one is always written), and arrays and properties match their schemas in turn.
    /// </summary>
    private static void AssertMatches(JsonElement document, JsonElement schema, JsonElement value, string at)
    {
        schema = Resolve(document, schema);
        var kind = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out _) ? "integer" : "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            var other => other.ToString().ToLowerInvariant(),
        };
        if (schema.TryGetProperty("type", out var type))
        {
            var allowed = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToList() : [type.GetString()];
            Assert.True(allowed.Contains(kind) || (kind == "integer" && allowed.Contains("number")), $"{at}: {value} is {kind}, not {string.Join("|", allowed)}");
        }
        if (kind == "string" && schema.TryGetProperty("format", out var format) && format.GetString() == "date-time")
            Assert.True(DateTimeOffset.TryParse(value.GetString(), out _), $"{at}: '{value}' is not a date-time");
        if (kind == "object" && schema.TryGetProperty("properties", out var properties))
        {
            var names = value.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
            Assert.Equal($"{at}: {string.Join(",", PropertyNames(schema))}", $"{at}: {string.Join(",", names)}");
            foreach (var property in value.EnumerateObject())
                AssertMatches(document, properties.GetProperty(property.Name), property.Value, $"{at}.{property.Name}");
        }
        if (kind == "array" && schema.TryGetProperty("items", out var items))
            foreach (var (item, index) in value.EnumerateArray().Select((item, index) => (item, index)))
                AssertMatches(document, items, item, $"{at}[{index}]");
    }

    private async Task SendAsync(string key, string prompt, string session, params (string Name, string Value)[] headers)
    {
        using var client = Gateway.CreateClient(key, asXApiKey: true);
        var body = $$"""{"model":"claude-sonnet-4-5","max_tokens":64,"stream":false,"messages":[{"role":"user","content":"{{prompt}}"}]}""";
        using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages", body, [.. headers, ("X-Claude-Code-Session-Id", session)]),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        var ct = TestContext.Current.CancellationToken;
        using var response = await client.GetAsync(path, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex PathParameter();
}
