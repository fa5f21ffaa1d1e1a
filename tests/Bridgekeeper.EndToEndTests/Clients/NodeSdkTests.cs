using System.Text.Json;

namespace Bridgekeeper.EndToEndTests.Clients;

/// <summary>
/// The official OpenAI and Anthropic Node SDKs (pinned in tests/clients/package.json), driven by tests/clients/sdk-smoke.mjs:
/// each parses the gateway's relay with its own streaming and response code, and the gateway records exact tokens.
/// </summary>
public sealed class NodeSdkTests : ClientTest
{
    // Cached input makes the OpenAI and Anthropic token semantics differ, so a mix-up shows.
    private const string Usage = "input=100,output=20,cache_read=30,cache_write=10";

    [Theory]
    [InlineData("openai-chat", false, "openai", 100, 20, 30, 0)]
    [InlineData("openai-chat-stream", true, "openai", 100, 20, 30, 0)]
    [InlineData("openai-responses", false, "openai", 100, 20, 30, 0)]
    [InlineData("openai-responses-stream", true, "openai", 100, 20, 30, 0)]
    [InlineData("anthropic-messages", false, "anthropic", 100, 20, 30, 10)]
    [InlineData("anthropic-messages-stream", true, "anthropic", 100, 20, 30, 10)]
    [InlineData("bedrock-messages", false, "bedrock", 100, 20, 30, 10)]
    [InlineData("bedrock-messages-stream", true, "bedrock", 100, 20, 30, 10)]
    public async Task NodeSdk_Mode_ReceivesTextAndUsageAndIsRecordedExactly(string mode, bool streaming, string provider,
        long input, long output, long cacheRead, long cacheWrite)
    {
        using var sandbox = new Sandbox();
        var prompt = $"Say hello via {mode}";
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = sandbox.Home,
            ["BRIDGEKEEPER_URL"] = Gateway.Url.AbsoluteUri,
            ["BRIDGEKEEPER_KEY"] = await Gateway.CreateKeyAsync("sdk-user"),
            ["BRIDGEKEEPER_HEADERS"] = JsonSerializer.Serialize(new Dictionary<string, string> { ["x-mock-usage"] = Usage }),
        };

        var run = await ClientProcess.RunAsync("node", [ClientInstall.SdkScript, mode, prompt], environment, ClientInstall.Folder,
            TestContext.Current.CancellationToken);

        await ExpectAsync(run, async () =>
        {
            Assert.Equal(0, run.ExitCode);
            var line = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]).RootElement;
            Assert.Equal("Hello from the mock upstream.", line.GetProperty("text").GetString());
            var usage = line.GetProperty("usage");
            // What the SDK itself parsed: the provider's own field names and meanings.
            if (provider is "anthropic" or "bedrock")
            {
                Assert.Equal(input, usage.GetProperty("input_tokens").GetInt64());
                Assert.Equal(cacheRead, usage.GetProperty("cache_read_input_tokens").GetInt64());
            }
            else
            {
                var total = usage.TryGetProperty("prompt_tokens", out var prompted) ? prompted : usage.GetProperty("input_tokens");
                Assert.Equal(input + cacheRead, total.GetInt64());
            }

            var record = await InterceptionAsync(i => HasPrompt(i, prompt));
            Assert.Equal("completed", Text(record, "status"));
            Assert.Equal(provider, Text(record, "provider"));
            Assert.Equal(streaming, record.GetProperty("streaming").GetBoolean());
            Assert.Equal("sdk-user", record.GetProperty("user").GetProperty("name").GetString());
            Assert.Equal((input, output, cacheRead, cacheWrite, 0L),
                ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
        });
    }
}

/// <summary>
/// The same SDKs through the forward proxy, as the README shows: their own base URLs, a placeholder key, an undici
/// <c>ProxyAgent</c> with the Bridgekeeper key as the proxy password, and the CA in <c>NODE_EXTRA_CA_CERTS</c>.
/// </summary>
public sealed class NodeSdkProxyTests : ClientTest
{
    private protected override Hosting.GatewaySettings Configure(Hosting.GatewaySettings settings) =>
        settings with { Proxy = Proxy.ProxyClients.Options() };

    [Theory]
    [InlineData("openai-chat-stream", "openai")]
    [InlineData("openai-responses", "openai")]
    [InlineData("anthropic-messages-stream", "anthropic")]
    public async Task NodeSdk_ThroughTheProxy_IsRecordedForTheProxyUser(string mode, string provider)
    {
        using var sandbox = new Sandbox();
        var ct = TestContext.Current.CancellationToken;
        var prompt = $"Say hello via the proxy and {mode}";
        var key = await Gateway.CreateKeyAsync("sdk-proxy-user");
        var ca = await Proxy.ProxyClients.CaFileAsync(Gateway, sandbox.Root);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = sandbox.Home,
            ["BRIDGEKEEPER_PROXY"] = $"http://me:{key}@{Gateway.ProxyUrl!.Authority}",
            ["NODE_EXTRA_CA_CERTS"] = ca,
            ["BRIDGEKEEPER_HEADERS"] = JsonSerializer.Serialize(new Dictionary<string, string> { ["x-mock-usage"] = "input=7,output=3" }),
        };

        var run = await ClientProcess.RunAsync("node", [ClientInstall.SdkScript, mode, prompt], environment, ClientInstall.Folder, ct);

        await ExpectAsync(run, async () =>
        {
            Assert.Equal(0, run.ExitCode);
            Assert.Equal("Hello from the mock upstream.", JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]).RootElement.GetProperty("text").GetString());
            var record = await InterceptionAsync(i => HasPrompt(i, prompt));
            Assert.Equal((provider, "sdk-proxy-user", "proxy"), (Text(record, "provider"), record.GetProperty("user").GetProperty("name").GetString(),
                record.GetProperty("metadata").GetProperty("via").GetString()));
            Assert.Equal((7L, 3L, 0L, 0L, 0L), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
            Assert.All(Upstream.Exchanges, e => Assert.DoesNotContain(e.Headers.Values, v => v.Contains("placeholder", StringComparison.Ordinal)));
        });
    }
}
