using System.Net;
using System.Text;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Providers;

namespace Bridgekeeper.EndToEndTests.Proxy;

/// <summary>
/// GitHub Copilot through the proxy, as VS Code or the Copilot CLI send it: the Copilot host is decrypted and served by
/// a <c>copilot</c> instance (here the mock's Copilot API). The user is the proxy key's; the user's own Copilot token
/// goes upstream exactly as sent and no gateway key is attached; model calls are recorded, other paths pass through.
/// </summary>
public sealed class ProxyCopilotTests : GatewayTest
{
    private const string CopilotToken = "Bearer tid=7f31c2;exp=1760000000;sku=copilot_for_business_seat:xyz;8kp=1:aa01";
    private const string Host = "api.business.githubcopilot.com";

    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with
    {
        Providers = [.. settings.Providers, new ProviderSettings("copilot-business", ProviderTypes.Copilot, null, Upstream.CopilotBaseUrl)],
        Proxy = ProxyClients.Options() with
        {
            Hosts = new Dictionary<string, string>(ProxyClients.DefaultHosts, StringComparer.OrdinalIgnoreCase) { [Host] = "copilot-business" },
        },
    };

    [Theory]
    [InlineData("chat/completions", """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"copilot via proxy"}]}""")]
    [InlineData("chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"copilot via proxy"}]}""")]
    [InlineData("responses", """{"model":"gpt-4.1","stream":true,"input":"copilot via proxy"}""")]
    [InlineData("v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"copilot via proxy"}]}""")]
    public async Task CopilotHost_ModelCall_IsRecordedForTheProxyUser_WithTheUsersTokenForwardedAsSent(string path, string body)
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("vscode-user");
        using var client = ProxyClients.Through(Gateway, key, await ProxyClients.CaAsync(Gateway), HttpVersion.Version20);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"https://{Host}/{path}")
        {
            Version = HttpVersion.Version20,
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", CopilotToken);
        request.Headers.TryAddWithoutValidation("Copilot-Integration-Id", "vscode-chat");
        request.Headers.TryAddWithoutValidation("x-mock-usage", "input=31,output=8");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await response.Content.ReadAsByteArrayAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var exchange = Assert.Single(Upstream.Exchanges);
        Assert.Equal(("/copilot/" + path, CopilotToken, "vscode-chat"), (exchange.Path, exchange.Headers["authorization"], exchange.Headers["copilot-integration-id"]));
        Assert.DoesNotContain(exchange.Headers.Values, v => v.Contains(key, StringComparison.Ordinal) || v.Contains("sk-", StringComparison.Ordinal));
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal(("vscode-user", "copilot-business", "completed", "proxy"), (record.GetProperty("user").GetProperty("name").GetString(),
            record.GetProperty("provider").GetString(), record.GetProperty("status").GetString(), record.GetProperty("metadata").GetProperty("via").GetString()));
        Assert.Equal((31, 8, 0, 0, 0), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
    }

    [Fact]
    public async Task CopilotHost_OtherPath_PassesThroughUnrecorded_WithTheUsersToken()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = ProxyClients.Through(Gateway, await Gateway.CreateKeyAsync("vscode-user"), await ProxyClients.CaAsync(Gateway), HttpVersion.Version11);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{Host}/models");
        request.Headers.TryAddWithoutValidation("Authorization", CopilotToken);

        using var response = await client.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(CopilotToken, Assert.Single(Upstream.Exchanges).Headers["authorization"]);
        Assert.Empty(await Gateway.ListInterceptionsAsync());
    }
}
