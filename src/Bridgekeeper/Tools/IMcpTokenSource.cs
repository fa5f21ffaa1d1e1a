namespace Bridgekeeper.Tools;

/// <summary>
/// Where the registry reads a user's personal MCP tokens (server name to decrypted token). Hosting's
/// <c>StoredMcpTokens</c> implements it over Storage's <c>McpTokenStore</c>.
/// </summary>
internal interface IMcpTokenSource
{
    Task<IReadOnlyDictionary<string, string>> GetTokensAsync(Guid userId, CancellationToken cancellationToken);
}
