using System.Net;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Providers;

namespace Bridgekeeper.EndToEndTests.Providers;

/// <summary>
/// Several instances of one provider type at once, each under its own name with its own routes and its own upstream
/// key: two OpenAI-type instances (the default and a second gateway, say a LiteLLM) and a second Anthropic account.
/// </summary>
public sealed class ProviderInstancesTests : GatewayTest
{
    private const string SecondOpenAIKey = "sk-second-openai-gateway";
    private const string SecondAnthropicKey = "sk-ant-second-account";

    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with
    {
        Providers =
        [
            .. settings.Providers,
            new ProviderSettings("litellm", ProviderTypes.OpenAI, SecondOpenAIKey, Upstream.OpenAIBaseUrl),
            new ProviderSettings("anthropic-team-b", ProviderTypes.Anthropic, SecondAnthropicKey, Upstream.AnthropicBaseUrl),
        ],
    };

    private const string Chat = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""";
    private const string Messages = """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""";

    [Theory]
    [InlineData("/openai/v1/chat/completions", Chat, "openai", "Bearer " + GatewayUnderTest.OpenAIUpstreamKey)]
    [InlineData("/litellm/v1/chat/completions", Chat, "litellm", "Bearer " + SecondOpenAIKey)]
    [InlineData("/anthropic/v1/messages", Messages, "anthropic", GatewayUnderTest.AnthropicUpstreamKey)]
    [InlineData("/anthropic-team-b/v1/messages", Messages, "anthropic-team-b", SecondAnthropicKey)]
    public async Task EachInstance_ServesItsRoutesWithItsOwnKey_AndIsRecordedUnderItsName(string path, string body, string provider, string credential)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("ines"));

        using var response = await client.SendAsync(Wire.Post(path, body), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(Upstream.Exchanges);
        Assert.Equal(credential, sent.Headers.TryGetValue("authorization", out var bearer) ? bearer : sent.Headers["x-api-key"]);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal((provider, "completed"), (record.GetProperty("provider").GetString(), record.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task InstancesRunAtOnce_EveryRequestReachesItsOwnUpstreamKey()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("ines"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => (i % 3) switch
        {
            0 => client.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat), ct),
            1 => client.SendAsync(Wire.Post("/litellm/v1/chat/completions", Chat), ct),
            _ => client.SendAsync(Wire.Post("/anthropic-team-b/v1/messages", Messages), ct),
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var keys = Upstream.Exchanges.Select(e => e.Headers.TryGetValue("authorization", out var bearer) ? bearer : e.Headers["x-api-key"])
            .GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int>
        {
            ["Bearer " + GatewayUnderTest.OpenAIUpstreamKey] = 4,
            ["Bearer " + SecondOpenAIKey] = 4,
            [SecondAnthropicKey] = 4,
        }, keys);
        foreach (var response in responses)
            response.Dispose();
    }
}
