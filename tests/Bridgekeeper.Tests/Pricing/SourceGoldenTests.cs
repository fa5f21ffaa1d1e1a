using System.Globalization;
using System.Text.Json;
using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;

namespace Bridgekeeper.Tests.Pricing;

/// <summary>
/// The shipped table charges what its source charges. <c>tools/prices/generate.mjs</c> asked the source's own
/// <c>calcPrice</c> for sample usages of every model it ships (with 1-hour cache writes and web searches), at every dated price and above every input tier
/// (<c>genai-prices-golden.json</c>); the gateway's exact decimal arithmetic must agree with each figure up to the
/// source's floating-point rounding.
/// </summary>
public sealed class SourceGoldenTests
{
    private static readonly CostCalculator Shipped = new(new Dictionary<string, ModelPrice>());

    /// <summary>The usage each golden figure is for, in this order.</summary>
    private static readonly string[] UsageFields = ["input", "output", "cache_read", "cache_write", "cache_write_1h", "web_searches"];

    public static TheoryData<string, string, string, long[], double> Costs()
    {
        var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Pricing", "genai-prices-golden.json"))).RootElement;
        var data = new TheoryData<string, string, string, long[], double>();
        foreach (var cost in golden.GetProperty("costs").EnumerateArray())
            data.Add(cost.GetProperty("model").GetString()!, cost.GetProperty("name").GetString()!, cost.GetProperty("at").GetString()!,
                [.. UsageFields.Select(field => cost.GetProperty(field).GetInt64())], cost.GetProperty("total_usd").GetDouble());
        return data;
    }

    [Theory]
    [MemberData(nameof(Costs))]
    public void EveryShippedPrice_CostsWhatTheSourceCharges(string model, string name, string at, long[] usage, double sourceUsd)
    {
        var when = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        var cost = Shipped.CostUsd(name, new TokenUsage(usage[0], usage[1], usage[2], usage[3], 0) { CacheWrite1h = usage[4], WebSearches = usage[5] }, when);

        Assert.Equal(model, Shipped.KnownName(name));
        Assert.NotNull(cost);
        Assert.True(Math.Abs((double)cost.Value - sourceUsd) <= 1e-12 + 1e-9 * sourceUsd, $"{name} at {at}: {cost} here, {sourceUsd} in the source");
    }

    [Fact]
    public void TheGoldenFigures_CoverEveryPricedModel()
    {
        var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Pricing", "genai-prices-golden.json"))).RootElement;
        var covered = golden.GetProperty("costs").EnumerateArray().Select(c => c.GetProperty("model").GetString()).Distinct().Count();

        Assert.Equal("0.1.8", golden.GetProperty("source_version").GetString());
        Assert.InRange(covered, 100, ShippedPrices.Matched.Count);
    }
}
