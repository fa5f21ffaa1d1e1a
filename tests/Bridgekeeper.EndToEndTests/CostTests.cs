using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Pricing;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// Cost through the real gateway: the mock upstream reports known usage, the gateway prices it when it records the
/// token-usage row, and the REST API shows the exact figure per row, per interception and summed in <c>/api/v1/usage</c>.
/// </summary>
public sealed class CostTests : GatewayTest
{
    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with
    {
        Prices = new Dictionary<string, ModelPrice> { ["house-model"] = ModelPrice.PerMillionTokens(input: 1, output: 2) },
    };

    private static string AnthropicBody(bool stream) => $$"""
        {"model":"claude-sonnet-4-5-20250929","max_tokens":64,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}
        """;

    private static string ChatBody(string model) => $$"""
        {"model":"{{model}}","stream":true,"messages":[{"role":"user","content":"hi"}]}
        """;

    [Fact]
    public async Task RecordedInterceptions_CarryExactCostPerRowAndInUsage_UnknownModelIsUnpriced()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("alice"));

        // claude-sonnet-4-5: 12 × $3 + 1000 × $0.30 + 200 × $3.75 + 40 × $15 per million = 0.001686
        (await client.SendAsync(Wire.Post("/anthropic/v1/messages", AnthropicBody(stream: true),
            ("x-mock-usage", "input=12,output=40,cache_read=1000,cache_write=200")), ct)).EnsureSuccessStatusCode();
        // gpt-5: 1000 × $1.25 + 4000 × $0.125 + 500 × $10 per million = 0.00675 (the 300 reasoning tokens are inside the 500)
        (await client.SendAsync(Wire.Post("/openai/v1/chat/completions", ChatBody("gpt-5"),
            ("x-mock-usage", "input=1000,output=500,cache_read=4000,reasoning=300")), ct)).EnsureSuccessStatusCode();
        // An operator price: 1000 × $1 + 500 × $2 per million = 0.002
        (await client.SendAsync(Wire.Post("/openai/v1/chat/completions", ChatBody("house-model"),
            ("x-mock-usage", "input=1000,output=500")), ct)).EnsureSuccessStatusCode();
        // No price anywhere: recorded with its tokens, cost null
        (await client.SendAsync(Wire.Post("/openai/v1/chat/completions", ChatBody("my-local-model"),
            ("x-mock-usage", "input=7,output=3")), ct)).EnsureSuccessStatusCode();

        await Gateway.WaitForEndedAsync(expected: 4);
        var byModel = (await Gateway.ListInterceptionsAsync()).ToDictionary(i => i.GetProperty("model").GetString()!);
        Assert.Equal((0.001686m, 0.001686m), Costs(byModel["claude-sonnet-4-5-20250929"]));
        Assert.Equal((0.00675m, 0.00675m), Costs(byModel["gpt-5"]));
        Assert.Equal((0.002m, 0.002m), Costs(byModel["house-model"]));
        var unpriced = byModel["my-local-model"];
        Assert.Equal(JsonValueKind.Null, Assert.Single(unpriced.GetProperty("token_usages").EnumerateArray()).GetProperty("cost_usd").ValueKind);
        Assert.Equal(JsonValueKind.Null, unpriced.GetProperty("cost_usd").ValueKind);

        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        var byProvider = await UsageAsync(admin, "provider");
        Assert.Equal((1, 0.001686m, 0), byProvider["anthropic"]);
        Assert.Equal((3, 0.00875m, 1), byProvider["openai"]);
        var byModelUsage = await UsageAsync(admin, "model");
        Assert.Equal((1, (decimal?)null, 1), byModelUsage["my-local-model"]);
        Assert.Equal((4, 0.010436m, 1), (await UsageAsync(admin, "user"))["alice"]);
    }

    [Fact]
    public async Task BlockingMessages_BedrockStyleId_IsPricedAsTheAnthropicModel()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("bob"));
        var body = AnthropicBody(stream: false).Replace("claude-sonnet-4-5-20250929", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", StringComparison.Ordinal);

        (await client.SendAsync(Wire.Post("/anthropic/v1/messages", body, ("x-mock-usage", "input=12,output=40,cache_read=1000,cache_write=200")), ct))
            .EnsureSuccessStatusCode();

        Assert.Equal((0.001686m, 0.001686m), Costs(await Gateway.WaitForEndedAsync()));
    }

    /// <summary>The single token-usage row's cost and the interception's cost.</summary>
    private static (decimal Row, decimal Interception) Costs(JsonElement interception) =>
        (Assert.Single(interception.GetProperty("token_usages").EnumerateArray()).GetProperty("cost_usd").GetDecimal(),
            interception.GetProperty("cost_usd").GetDecimal());

    private static async Task<Dictionary<string, (long Interceptions, decimal? CostUsd, long Unpriced)>> UsageAsync(HttpClient admin, string groupBy)
    {
        var json = await admin.GetStringAsync($"/api/v1/usage?group_by={groupBy}", TestContext.Current.CancellationToken);
        return JsonDocument.Parse(json).RootElement.GetProperty("rows").EnumerateArray().ToDictionary(
            r => r.GetProperty("key").GetString()!,
            r => (r.GetProperty("interceptions").GetInt64(),
                r.GetProperty("cost_usd").ValueKind == JsonValueKind.Null ? (decimal?)null : r.GetProperty("cost_usd").GetDecimal(),
                r.GetProperty("unpriced_interceptions").GetInt64()));
    }
}
