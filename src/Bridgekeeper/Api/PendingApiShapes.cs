using System.Text.Json.Serialization;

namespace Bridgekeeper.Api;

/// <summary>
/// PENDING (parallel work): stand-ins for the bodies of routes being added on other branches (the dashboard session,
/// a user's keys, a user's role, the MCP servers' health), so <see cref="ApiOperations"/> can describe them before
/// their real records exist. Each mirrors the JSON its brief promises, property for property. After the merge, point
/// the table's entries at the real types (and add those to <see cref="ApiJsonContext"/> if they are not), then
/// delete this file; <c>OpenApiTests</c> compares the document with real responses, so a drifted mirror shows.
/// Nothing serializes these; they exist only for the document's schemas.
/// </summary>
internal static partial class PendingApiShapes
{
    /// <summary>PENDING: <c>POST /api/v1/session</c>.</summary>
    internal sealed record SignInRequest(string? Key);

    /// <summary>PENDING: <c>POST|GET /api/v1/session</c>.</summary>
    internal sealed record SessionResponse(SessionUser User, string Role, string CsrfToken);

    /// <summary>PENDING: the signed-in user.</summary>
    internal sealed record SessionUser(Guid Id, string Name);

    /// <summary>PENDING: <c>GET /api/v1/users/{name}/keys</c>.</summary>
    internal sealed record KeyListResponse(IReadOnlyList<KeyDto> Keys);

    /// <summary>PENDING: one key, never its secret.</summary>
    internal sealed record KeyDto(Guid Id, string? Label, string Hint, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

    /// <summary>PENDING: <c>PATCH /api/v1/users/{name}</c>.</summary>
    internal sealed record UpdateUserRequest(string? Role);

    /// <summary>PENDING: <c>GET /api/v1/mcp/servers</c>.</summary>
    internal sealed record McpServerListResponse(IReadOnlyList<McpServerDto> Servers);

    /// <summary>PENDING: one configured MCP server, its tools, and its calls in the window.</summary>
    internal sealed record McpServerDto(string Name, string Url, string Transport, string Status, string? Error, IReadOnlyList<string> Tools, long Calls,
        long Failures);

    /// <summary>The same options as <see cref="ApiJsonContext"/>, so the schemas have the names the API will emit.</summary>
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, Converters = [typeof(Rfc3339TimestampConverter)])]
    [JsonSerializable(typeof(SignInRequest))]
    [JsonSerializable(typeof(SessionResponse))]
    [JsonSerializable(typeof(KeyListResponse))]
    [JsonSerializable(typeof(UpdateUserRequest))]
    [JsonSerializable(typeof(McpServerListResponse))]
    internal sealed partial class JsonContext : JsonSerializerContext;
}
