using Bridgekeeper.Storage;
using Bridgekeeper.Tools;

namespace Bridgekeeper.Hosting;

/// <summary>
/// The tool registry's <see cref="IMcpTokenSource"/> over the users' stored tokens. It lives in the composition root so
/// that Storage does not know Tools, nor Tools Storage.
/// </summary>
internal sealed class StoredMcpTokens(McpTokenStore store) : IMcpTokenSource
{
    public Task<IReadOnlyDictionary<string, string>> GetTokensAsync(Guid userId, CancellationToken cancellationToken) =>
        store.GetTokensAsync(userId, cancellationToken);
}
