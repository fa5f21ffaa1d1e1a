using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>Bounded polling of a caller's injected tools (<c>GET /api/v1/mcp/tools</c>).</summary>
internal static class McpWait
{
    /// <summary>The caller's injected tool names, once <paramref name="ready"/> holds for them (at most 20 s).</summary>
    public static async Task<IReadOnlyList<string>> ToolsAsync(GatewayUnderTest gateway, string key, Func<IReadOnlyList<string>, bool> ready)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = gateway.CreateClient(key);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var names = await NamesAsync(client, ct);
            if (ready(names))
                return names;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The injected tools never became ready; last: [{string.Join(", ", names)}]");
            await Task.Delay(50, ct);
        }
    }

    public static async Task<IReadOnlyList<string>> NamesAsync(HttpClient client, CancellationToken ct) =>
        [.. JsonDocument.Parse(await client.GetStringAsync("/api/v1/mcp/tools", ct)).RootElement.GetProperty("tools").EnumerateArray()
            .Select(t => t.GetProperty("name").GetString()!)];
}
