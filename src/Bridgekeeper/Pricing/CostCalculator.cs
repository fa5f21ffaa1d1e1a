using Bridgekeeper.Providers;

namespace Bridgekeeper.Pricing;

/// <summary>
/// Prices token usage: the operator's prices first (settings <c>prices</c> and <c>prices_file</c>), then the shipped
/// table (<see cref="ShippedPrices.Matched"/>, then LiteLLM's for the models it lacks). A model none knows costs
/// <c>null</c> (unpriced), never 0.
/// </summary>
internal sealed class CostCalculator(PriceList overrides, MatchedPrices table, PriceList fallback)
{
    /// <summary>The shipped tables with the operator's prices on top.</summary>
    public CostCalculator(IReadOnlyDictionary<string, ModelPrice> overrides)
        : this(new PriceList(overrides), ShippedPrices.Matched, ShippedPrices.Fallback)
    {
    }

    /// <summary>The operator's price for <paramref name="model"/> if there is one, else the shipped one in force at <paramref name="at"/>; null when unknown or expired.</summary>
    public ModelPrice? Find(string model, DateTimeOffset at) =>
        overrides.Knows(model) ? overrides.Find(model, at) : table.Find(model, at) ?? fallback.Find(model, at);

    /// <summary>The canonical name of <paramref name="model"/> (the operator's spelling, else the shipped table's), or null when none knows it.</summary>
    public string? KnownName(string model) => overrides.Match(model) ?? table.Match(model) ?? fallback.Match(model);

    /// <summary>What <paramref name="usage"/> on <paramref name="model"/> cost in USD at <paramref name="at"/>, or null when unpriced.</summary>
    public decimal? CostUsd(string model, TokenUsage usage, DateTimeOffset at) => Find(model, at)?.Cost(usage);
}
