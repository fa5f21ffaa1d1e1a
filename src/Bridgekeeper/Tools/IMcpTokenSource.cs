namespace Bridgekeeper.Tools;

/// <summary>Where the registry reads a user's personal MCP tokens (server name to decrypted token). <c>McpTokenStore</c> implements it.</summary>
internal interface IMcpTokenSource
{
    Task<IReadOnlyDictionary<string, string>> GetTokensAsync(Guid userId, CancellationToken cancellationToken);
}
