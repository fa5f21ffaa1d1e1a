using Bridgekeeper.Providers;

namespace Bridgekeeper.Pricing;

/// <summary>
/// USD per token for each kind of token in one price band. A missing cache price falls back to the input price
/// (never to 0): a model the table lists without caching prices is billed for cached tokens as plain input.
/// </summary>
internal sealed record TokenPrices(decimal Input, decimal Output, decimal? CacheRead = null, decimal? CacheWrite = null, decimal? CacheWrite1h = null);

/// <summary>
/// A price band that replaces the base prices it names when a request's total input (input + cache read + cache
/// write) exceeds <see cref="AboveInputTokens"/>; prices it does not name stay at the base price.
/// </summary>
internal sealed record PriceTier(long AboveInputTokens, decimal? Input = null, decimal? Output = null, decimal? CacheRead = null,
    decimal? CacheWrite = null, decimal? CacheWrite1h = null);

/// <summary>
/// What one model costs: base prices, long-context tiers (ascending), and for a temporary price the last day
/// (UTC, inclusive) on which it applies.
/// </summary>
internal sealed record ModelPrice(TokenPrices Base)
{
    public IReadOnlyList<PriceTier> Tiers { get; init; } = [];

    public DateOnly? ValidUntil { get; init; }

    /// <summary>USD per 1,000 web searches, when the source prices them.</summary>
    public decimal? WebSearchPerThousand { get; init; }

    /// <summary>
    /// Prices of OpenAI service tiers (<c>flex</c>, <c>priority</c>, <c>scale</c>) that replace these for usage served on that
    /// tier (<see cref="TokenUsage.ServiceTier"/>). The shipped source prices none; an operator's <c>service_tiers</c> may.
    /// </summary>
    public IReadOnlyDictionary<string, ModelPrice> ServiceTiers { get; init; } = NoTiers;

    /// <summary>One shared empty map for the hundreds of shipped prices, none of which has tiers.</summary>
    private static readonly IReadOnlyDictionary<string, ModelPrice> NoTiers = new Dictionary<string, ModelPrice>();

    /// <summary>Whether usage on <paramref name="tier"/> is billed at that tier's own prices (else at the standard ones).</summary>
    public bool PricesTier(string tier) => ServiceTiers.ContainsKey(tier);

    /// <summary>An operator's price, given in USD per million tokens (exact: the division by 10^6 is decimal).</summary>
    public static ModelPrice PerMillionTokens(decimal input, decimal output, decimal? cacheRead = null, decimal? cacheWrite = null) =>
        new(new TokenPrices(input / Million, output / Million, cacheRead / Million, cacheWrite / Million));

    private const decimal Million = 1_000_000m;

    public bool AppliesAt(DateTimeOffset at) => ValidUntil is not { } until || DateOnly.FromDateTime(at.UtcDateTime) <= until;

    /// <summary>
    /// input × input price + cache_read × cache-read price + cache_write × cache-write price + output × output price,
    /// exact in decimal, at the usage's service tier's prices when this price knows that tier (<see cref="ServiceTiers"/>).
    /// <see cref="TokenUsage.Input"/> already excludes cached tokens and reasoning is inside <see cref="TokenUsage.Output"/>
    /// (SPEC §5). Of the cache writes, <see cref="TokenUsage.CacheWrite1h"/> are billed at
    /// the 1-hour price (the 5-minute one when the model has none) and the rest at the 5-minute price. Each web search
    /// costs <see cref="WebSearchPerThousand"/> / 1,000 (nothing when the source prices none).
    /// </summary>
    public decimal Cost(TokenUsage usage)
    {
        if (usage.ServiceTier is { } serviceTier && ServiceTiers.TryGetValue(serviceTier, out var tierPrice))
            return tierPrice.Cost(usage with { ServiceTier = null });
        var totalInput = usage.Input + usage.CacheRead + usage.CacheWrite;
        PriceTier? tier = null;
        foreach (var candidate in Tiers)
        {
            if (totalInput > candidate.AboveInputTokens)
                tier = candidate;
        }
        var input = tier?.Input ?? Base.Input;
        var output = tier?.Output ?? Base.Output;
        var cacheRead = tier?.CacheRead ?? Base.CacheRead ?? input;
        var cacheWrite = tier?.CacheWrite ?? Base.CacheWrite ?? input;
        var cacheWrite1hPrice = tier?.CacheWrite1h ?? Base.CacheWrite1h ?? cacheWrite;
        var oneHour = Math.Clamp(usage.CacheWrite1h, 0, Math.Max(usage.CacheWrite, 0));
        var cost = usage.Input * input + usage.CacheRead * cacheRead + (usage.CacheWrite - oneHour) * cacheWrite
            + oneHour * cacheWrite1hPrice + usage.Output * output + Math.Max(usage.WebSearches, 0) * (WebSearchPerThousand ?? 0) / 1000m;
        return Normalize(cost);
    }

    /// <summary>The same value without trailing zeros (0.003000 → 0.003), so stored and shown figures read cleanly.</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;
}
