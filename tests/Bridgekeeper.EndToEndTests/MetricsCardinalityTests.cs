using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Pricing;
using static Bridgekeeper.EndToEndTests.Infrastructure.Prometheus;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// The model string is the client's: in <c>/metrics</c> a model the gateway knows keeps its canonical price-table
/// name, anything else is <c>other</c>, and at most 500 distinct names are ever used.
/// </summary>
public sealed class MetricsCardinalityTests : GatewayTest
{
    private const int HousePriced = 520;

    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with
    {
        Prices = Enumerable.Range(0, HousePriced).ToDictionary(i => $"house-{i:D3}", _ => ModelPrice.PerMillionTokens(input: 1, output: 2)),
    };

    [Fact]
    public async Task Metrics_HundredsOfRandomModels_FoldIntoOtherWhileKnownModelsKeepTheirCanonicalName()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("mallory"));
        var random = Enumerable.Range(0, 300).Select(i => $"rnd-{Guid.NewGuid():N}-{i}").ToList();
        foreach (var (model, i) in random.Select((m, i) => (m, i)))
            await SendAsync(client, model, anthropic: i % 2 == 0, ct);
        foreach (var (model, anthropic) in new[] { ("gpt-4o", false), ("OpenAI/GPT-4o", false), ("claude-sonnet-4-5", true), ("anthropic/claude-sonnet-4-5", true) })
            await SendAsync(client, model, anthropic, ct);
        await Gateway.WaitForEndedAsync(expected: 304);

        var text = await Gateway.CreateClient(null).GetStringAsync("/metrics", ct);

        string[] expected = ["claude-sonnet-4-5", "gpt-4o", "other"];
        Assert.Equal(expected, LabelValues(text, "bridgekeeper_interceptions_total", "model").Order());
        Assert.Equal(expected, LabelValues(text, "bridgekeeper_tokens_total", "model").Order());
        Assert.Equal(expected, LabelValues(text, "gen_ai_client_operation_duration_seconds_count", "gen_ai_request_model").Order());
        Assert.Equal(300, Value(text, "bridgekeeper_interceptions_total", "model=\"other\""));
        Assert.Equal(2, Value(text, "bridgekeeper_interceptions_total", "model=\"gpt-4o\""));
        Assert.Equal(2, Value(text, "bridgekeeper_interceptions_total", "model=\"claude-sonnet-4-5\""));
        Assert.DoesNotContain("rnd-", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_MoreKnownModelsThanTheCap_KeepTheFirst500NamesAndFoldTheRest()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("priya"));
        for (var i = 0; i < HousePriced; i++)
            await SendAsync(client, $"house-{i:D3}", anthropic: false, ct);
        await SendAsync(client, "house-000", anthropic: false, ct);
        await Gateway.WaitForEndedAsync(expected: HousePriced + 1);

        var text = await Gateway.CreateClient(null).GetStringAsync("/metrics", ct);
        var labels = LabelValues(text, "bridgekeeper_interceptions_total", "model");

        Assert.Equal(501, labels.Count);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"house-{i:D3}").Append("other"), labels.Order(StringComparer.Ordinal));
        Assert.Equal(HousePriced - 500, Value(text, "bridgekeeper_interceptions_total", "model=\"other\""));
        Assert.Equal(2, Value(text, "bridgekeeper_interceptions_total", "model=\"house-000\""));
    }

    private static async Task SendAsync(HttpClient client, string model, bool anthropic, CancellationToken ct)
    {
        using var response = anthropic
            ? await client.SendAsync(Wire.Post("/anthropic/v1/messages", $$"""{"model":"{{model}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"""), ct)
            : await client.SendAsync(Wire.Post("/openai/v1/chat/completions", $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}"""), ct);
        response.EnsureSuccessStatusCode();
    }
}
