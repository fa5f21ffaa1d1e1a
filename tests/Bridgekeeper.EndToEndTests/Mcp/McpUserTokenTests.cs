using System.Net;
using System.Text;
using Bridgekeeper.Auth;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Tools;
using Bridgekeeper.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>
/// A server that requires a personal token (<c>private</c>): a user with one (set by an admin through the REST API) gets its
/// tools and the server sees that user's token; a user without one gets none of them and no connection is made for them.
/// The token appears in no log line and no API response.
/// </summary>
public sealed class McpUserTokenTests : McpGatewayTest
{
    private const string Messages = "/anthropic/v1/messages";
    private const string Body = """{"model":"claude-sonnet-4-5","max_tokens":128,"messages":[{"role":"user","content":"echo hi"}]}""";

    private protected override GatewaySettings Configure(GatewaySettings settings, TestMcpServer mcp) => settings with
    {
        McpServers = [McpServerOptions.Create("BRIDGEKEEPER_MCP_0", "private", mcp.StreamableUrl.AbsoluteUri, null, null, null, null, requiresUserToken: true)],
        McpToolTimeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public async Task UserToken_WithOneTheToolsComeAndTheServerSeesIt_WithoutOneNoToolsAndNoConnection()
    {
        var ct = TestContext.Current.CancellationToken;
        var token = $"tok-alice-{Guid.NewGuid():N}";
        var aliceKey = await Gateway.CreateKeyAsync("alice");
        var bobKey = await Gateway.CreateKeyAsync("bob");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        var responses = new List<string>();

        using (var put = await admin.PutAsync("/api/v1/users/alice/mcp-tokens/private",
            new StringContent($$"""{"token":"{{token}}"}""", Encoding.UTF8, "application/json"), ct))
        {
            responses.Add(await put.Content.ReadAsStringAsync(ct));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        Assert.Empty(Mcp.Authorizations);

        // Alice: her connection (with her token) lists the server's tools, and the loop runs on it.
        Assert.Equal(["bmcp_private_add", "bmcp_private_echo", "bmcp_private_fail", "bmcp_private_hang"],
            await McpWait.ToolsAsync(Gateway, aliceKey, names => names.Count >= 4));
        using var alice = Gateway.CreateClient(aliceKey);
        using (var response = await alice.SendAsync(Wire.Post(Messages, Body, ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", """name=bmcp_private_echo;args={"message":"hi"}""")), ct))
        {
            responses.Add(await response.Content.ReadAsStringAsync(ct));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Tool said: Echo: hi", Wire.Json(Encoding.UTF8.GetBytes(responses[^1])).GetProperty("content").EnumerateArray().Last().GetProperty("text").GetString());
        }
        Assert.Equal(2, Upstream.Exchanges.Count);
        Assert.Equal(["bmcp_private_add", "bmcp_private_echo", "bmcp_private_fail", "bmcp_private_hang"], Upstream.Exchanges[0].ToolNames);
        Assert.NotEmpty(Mcp.Authorizations);
        Assert.All(Mcp.Authorizations, a => Assert.Equal($"Bearer {token}", a));
        var seenForAlice = Mcp.Authorizations.Count;

        // Bob: once his (empty) token list is read and his connections have had their first attempt, he still has nothing.
        var registry = Gateway.App.App.Services.GetRequiredService<McpToolRegistry>();
        var bob = (await Gateway.App.App.Services.GetRequiredService<UserStore>().FindUserAsync("bob", ct))!;
        await registry.WhenReadyAsync(new GatewayUser(bob.Id, bob.Name, Roles.Member, Guid.Empty), ct);
        using var bobClient = Gateway.CreateClient(bobKey);
        Assert.Empty(await McpWait.NamesAsync(bobClient, ct));
        using (var response = await bobClient.SendAsync(Wire.Post(Messages, Body), ct))
        {
            responses.Add(await response.Content.ReadAsStringAsync(ct));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(3, Upstream.Exchanges.Count);
        Assert.Empty(Upstream.Exchanges[2].ToolNames);
        Assert.Equal(seenForAlice, Mcp.Authorizations.Count);
        Assert.All(Mcp.Authorizations, a => Assert.Equal($"Bearer {token}", a));
        Assert.Equal(1, registry.ConnectionCount);

        // Hygiene: the token is in no API output, no log line, and nothing sent upstream.
        foreach (var path in new[] { "/api/v1/users/alice/mcp-tokens", "/api/v1/interceptions?limit=1000", "/api/v1/mcp/tools" })
            responses.Add(await admin.GetStringAsync(path, ct));
        responses.Add(await alice.GetStringAsync("/api/v1/mcp/tools", ct));
        responses.Add(await alice.GetStringAsync("/api/v1/users/alice/mcp-tokens", ct));
        Assert.Contains("\"server\":\"private\"", responses[^1], StringComparison.Ordinal);
        Assert.All(responses, r => Assert.DoesNotContain(token, r, StringComparison.Ordinal));
        Assert.NotEmpty(Gateway.Logs.Lines);
        Assert.DoesNotContain(Gateway.Logs.Lines, l => l.Contains(token, StringComparison.Ordinal) || l.Contains(token[10..], StringComparison.Ordinal));
        Assert.DoesNotContain(Upstream.Exchanges, e => Encoding.UTF8.GetString(e.RequestBody).Contains(token, StringComparison.Ordinal)
            || e.Headers.Values.Any(v => v.Contains(token, StringComparison.Ordinal)));
    }
}
