using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;

namespace Bridgekeeper.Tests.Pricing;

/// <summary>
/// The cost formula against the shipped table, pinned to the exact decimal: input × input price + cache_read × cache-read
/// price + cache_write × cache-write price + output × output price, with input excluding cached tokens and reasoning
/// inside output (SPEC §5).
/// </summary>
public sealed class CostArithmeticTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly CostCalculator Shipped = new(new Dictionary<string, ModelPrice>());

    private static TokenUsage Usage(long input = 0, long output = 0, long cacheRead = 0, long cacheWrite = 0, long reasoning = 0) =>
        new(input, output, cacheRead, cacheWrite, reasoning);

    [Fact]
    public void OpenAI_CachedInputAndReasoning_CachedAtCacheReadPriceAndReasoningNotAddedToOutput()
    {
        // gpt-5: $1.25 input, $0.125 cached input, $10 output per million tokens.
        // 1000 × 0.00000125 + 4000 × 0.000000125 + 500 × 0.00001 = 0.00125 + 0.0005 + 0.005
        var withReasoning = Shipped.CostUsd("gpt-5", Usage(input: 1000, cacheRead: 4000, output: 500, reasoning: 300), At);
        var withoutReasoning = Shipped.CostUsd("gpt-5", Usage(input: 1000, cacheRead: 4000, output: 500), At);

        Assert.Equal(0.00675m, withReasoning);
        Assert.Equal(withReasoning, withoutReasoning);
    }

    [Fact]
    public void OpenAI_ModelWithoutCachePrice_BillsCachedTokensAsInputNeverFree()
    {
        // gpt-4: $30 input, $60 output, no cached-input price in the table.
        Assert.Equal(0.0036m, Shipped.CostUsd("gpt-4", Usage(input: 20, cacheRead: 80, output: 10), At));
    }

    [Fact]
    public void Anthropic_CacheReadAndCacheWrite_EachAtItsOwnPrice()
    {
        // claude-sonnet-4-5: $3 input, $0.30 cache read, $3.75 cache write (5 minutes), $15 output per million tokens.
        // 12 × 0.000003 + 1000 × 0.0000003 + 200 × 0.00000375 + 40 × 0.000015 = 0.000036 + 0.0003 + 0.00075 + 0.0006
        Assert.Equal(0.001686m, Shipped.CostUsd("claude-sonnet-4-5", Usage(input: 12, cacheRead: 1000, cacheWrite: 200, output: 40), At));
    }

    [Fact]
    public void Anthropic_OneHourCacheWrites_WhenKnown_UseTheOneHourPrice()
    {
        var price = Shipped.Find("claude-sonnet-4-5", At)!;

        // 600 × 0.00000375 (5 minutes) + 400 × 0.000006 (1 hour)
        Assert.Equal(0.00465m, price.Cost(Usage(cacheWrite: 1000) with { CacheWrite1h = 400 }));
        Assert.Equal(0.00375m, price.Cost(Usage(cacheWrite: 1000)));
    }

    [Fact]
    public void Anthropic_TotalInputAbove200k_EveryPriceMovesToTheLongContextTier()
    {
        // 150000 + 50000 + 1 = 200001 input tokens > 200k: $6 input, $0.60 cache read, $7.50 cache write, $22.50 output.
        // 150000 × 0.000006 + 50000 × 0.0000006 + 1 × 0.0000075 + 1000 × 0.0000225 = 0.9 + 0.03 + 0.0000075 + 0.0225
        Assert.Equal(0.9525075m, Shipped.CostUsd("claude-sonnet-4-5", Usage(input: 150_000, cacheRead: 50_000, cacheWrite: 1, output: 1000), At));
    }

    [Fact]
    public void Anthropic_TotalInputExactly200k_StaysAtBasePrices()
    {
        // 150000 × 0.000003 + 50000 × 0.0000003 + 1000 × 0.000015 = 0.45 + 0.015 + 0.015
        Assert.Equal(0.48m, Shipped.CostUsd("claude-sonnet-4-5", Usage(input: 150_000, cacheRead: 50_000, output: 1000), At));
    }

    [Fact]
    public void Anthropic_ModelWithoutTier_KeepsBasePricesAbove200k()
    {
        // claude-sonnet-4-6 has been priced flat across its window since 2026-03-13: 300000 × 0.000003 + 100 × 0.000015
        Assert.Equal(0.9015m, Shipped.CostUsd("claude-sonnet-4-6", Usage(input: 300_000, output: 100), At));
    }

    [Fact]
    public void OpenAI_272kTier_AppliesFromItsStart()
    {
        // gpt-5.4: $2.50/$0.25/$15; the source's tier starts at 271,999 input tokens (so from 272k): $5/$0.50/$22.50.
        Assert.Equal(0.6949975m, Shipped.CostUsd("gpt-5.4", Usage(input: 271_999, output: 1000), At));
        Assert.Equal(1.3825m, Shipped.CostUsd("gpt-5.4", Usage(input: 272_000, output: 1000), At));
        Assert.Equal(1.5225m, Shipped.CostUsd("gpt-5.4", Usage(input: 300_000, output: 1000), At));
        Assert.Equal(0.6225m, Shipped.CostUsd("gpt-5.4", Usage(input: 100_000, cacheRead: 200_000, output: 1000), At));
    }

    [Fact]
    public void Cost_IsNormalized_WithoutTrailingZeros()
    {
        var cost = Shipped.CostUsd("gpt-4o", Usage(input: 1000), At);

        Assert.Equal("0.0025", cost?.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void UnknownModel_IsNullNeverZero()
    {
        Assert.Null(Shipped.CostUsd("my-local-llama", Usage(input: 1000, output: 1000), At));
        Assert.Null(Shipped.CostUsd("gemini-2.5-pro", Usage(input: 1000, output: 1000), At));
        Assert.Null(Shipped.CostUsd("", Usage(input: 1000, output: 1000), At));
    }

    [Fact]
    public void ClaudeSonnet5_IsPricedAtItsNowPermanentRate_BeforeAndAfterTheCancelledIncrease()
    {
        var usage = Usage(input: 1000, cacheRead: 1000, cacheWrite: 1000, output: 1000);

        // $2 input, $0.20 cache read, $2.50 cache write (5 min), $10 output: 0.002 + 0.0002 + 0.0025 + 0.01
        Assert.Equal(0.0147m, Shipped.CostUsd("claude-sonnet-5", usage, new DateTimeOffset(2026, 8, 31, 23, 59, 59, TimeSpan.Zero)));
        Assert.Equal(0.0147m, Shipped.CostUsd("claude-sonnet-5", usage, new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void DatedPriceChange_AppliesOnlyFromItsStartDate()
    {
        // claude-sonnet-4-6: until 2026-03-13 (UTC) input above 200k was billed at the long-context tier ($6/$22.50);
        // from that day the source prices the whole window flat ($3/$15).
        var usage = Usage(input: 300_000, output: 1000);

        Assert.Equal(1.8225m, Shipped.CostUsd("claude-sonnet-4-6", usage, new DateTimeOffset(2026, 3, 12, 23, 59, 59, TimeSpan.Zero)));
        Assert.Equal(0.915m, Shipped.CostUsd("claude-sonnet-4-6", usage, new DateTimeOffset(2026, 3, 13, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Override_WinsOverTheTableIncludingItsDatedAndBedrockIds()
    {
        var calculator = new CostCalculator(new Dictionary<string, ModelPrice>
        {
            ["gpt-4o"] = ModelPrice.PerMillionTokens(input: 1, output: 2, cacheRead: 0.5m),
            ["claude-sonnet-5"] = ModelPrice.PerMillionTokens(input: 3, output: 15, cacheRead: 0.3m, cacheWrite: 3.75m),
            ["claude-3-5-haiku"] = ModelPrice.PerMillionTokens(input: 0.8m, output: 4, cacheRead: 0.08m, cacheWrite: 1),
        });
        var usage = Usage(input: 1000, cacheRead: 2000, cacheWrite: 100, output: 500);

        // 1000 × 0.000001 + 2000 × 0.0000005 + 100 × 0.000001 (no cache-write price: input price) + 500 × 0.000002
        Assert.Equal(0.0031m, calculator.CostUsd("gpt-4o", usage, At));
        Assert.Equal(0.0031m, calculator.CostUsd("gpt-4o-2024-08-06", usage, At));
        // An operator price never expires: 0.003 + 0.0006 + 0.000375 + 0.0075
        Assert.Equal(0.011475m, calculator.CostUsd("claude-sonnet-5", usage, At));
        // The Bedrock id maps onto the operator's name, which wins over the table's claude-3-5-haiku-latest: 0.0008 + 0.00016 + 0.0001 + 0.002
        Assert.Equal(0.00306m, calculator.CostUsd("anthropic.claude-3-5-haiku-20241022-v1:0", usage, At));
        // Models the operator did not name keep the table price: 0.000003 × 1000 + … (claude-sonnet-4-5)
        Assert.Equal(Shipped.CostUsd("claude-sonnet-4-5", usage, At), calculator.CostUsd("claude-sonnet-4-5", usage, At));
    }
}
