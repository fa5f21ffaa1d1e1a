using Bridgekeeper.Providers;

namespace Bridgekeeper.Pricing;

/// <summary>
/// Prices token usage: the operator's prices first (settings <c>prices</c> and <c>prices_file</c>), then the shipped
/// table. A model neither knows costs <c>null</c> (unpriced), never 0.
/// </summary>
internal sealed class CostCalculator(PriceList overrides, PriceList table)
{
    /// <summary>The shipped table with the operator's prices on top.</summary>
    public CostCalculator(IReadOnlyDictionary<string, ModelPrice> overrides)
        : this(new PriceList(overrides), ShippedPrices.List)
    {
    }

    /// <summary>The operator's price for <paramref name="model"/> if there is one, else the table's; null when unknown or expired.</summary>
    public ModelPrice? Find(string model, DateTimeOffset at) =>
        overrides.Knows(model) ? overrides.Find(model, at) : table.Find(model, at);

    /// <summary>The canonical name of <paramref name="model"/> (the operator's spelling, else the table's), or null when neither knows it.</summary>
    public string? KnownName(string model) => overrides.Match(model) ?? table.Match(model);

    /// <summary>What <paramref name="usage"/> on <paramref name="model"/> cost in USD at <paramref name="at"/>, or null when unpriced.</summary>
    public decimal? CostUsd(string model, TokenUsage usage, DateTimeOffset at) => Find(model, at)?.Cost(usage);
}
