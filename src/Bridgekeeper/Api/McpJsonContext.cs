using System.Text.Json.Serialization;

namespace Bridgekeeper.Api;

/// <summary>Source-generated JSON for the MCP routes and the <c>mcp</c> CLI: snake_case names, RFC 3339 UTC timestamps.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, Converters = [typeof(Rfc3339TimestampConverter)])]
[JsonSerializable(typeof(SetMcpTokenRequest))]
[JsonSerializable(typeof(McpTokenDto))]
[JsonSerializable(typeof(McpTokenListResponse))]
[JsonSerializable(typeof(McpToolListResponse))]
[JsonSerializable(typeof(McpServerListResponse))]
internal sealed partial class McpJsonContext : JsonSerializerContext;

/// <summary><c>PUT /api/v1/users/{name}/mcp-tokens/{server}</c>.</summary>
internal sealed record SetMcpTokenRequest(string? Token);

/// <summary>A server a user holds a personal token for. Never the token.</summary>
internal sealed record McpTokenDto(string Server, DateTimeOffset CreatedAt);

/// <summary><c>GET /api/v1/users/{name}/mcp-tokens</c>.</summary>
internal sealed record McpTokenListResponse(IReadOnlyList<McpTokenDto> McpTokens);

/// <summary>One injected tool as the caller's agents get it.</summary>
internal sealed record McpToolDto(string Name, string Server, string Tool, string? Description, Uri ServerUrl);

/// <summary><c>GET /api/v1/mcp/tools</c>.</summary>
internal sealed record McpToolListResponse(IReadOnlyList<McpToolDto> Tools);

/// <summary>
/// One configured MCP server: <see cref="Status"/> is <c>connected</c>, <c>connecting</c>, <c>down</c> or <c>idle</c>;
/// <see cref="Error"/> why it is down (admins and auditors only); <see cref="Tools"/> the unprefixed names it offers;
/// <see cref="Calls"/> and <see cref="Failures"/> its injected calls in the range asked for.
/// </summary>
internal sealed record McpServerDto(string Name, string Url, string Transport, bool RequiresUserToken, string Status, string? Error,
    int Connections, IReadOnlyList<string> Tools, long Calls, long Failures);

/// <summary><c>GET /api/v1/mcp/servers</c>.</summary>
internal sealed record McpServerListResponse(IReadOnlyList<McpServerDto> Servers);
