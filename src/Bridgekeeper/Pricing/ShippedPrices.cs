using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bridgekeeper.Pricing;

/// <summary>
/// The price tables shipped inside the binary, written by <c>tools/prices/generate.mjs</c> and never fetched at run
/// time: <c>Pricing/genai-prices.json</c> (<see cref="MatchedPrices"/>, from <c>@pydantic/genai-prices</c>; its
/// <c>source</c>, <c>source_version</c> and <c>source_date</c> say which), and <c>Pricing/litellm-prices.json</c>, the
/// few models the first lacks, from LiteLLM's table (<c>tools/trim-prices.py</c>). The LiteLLM format is also the
/// operator's (<see cref="Parse"/>): USD per token, <c>input_cost_per_token</c>, <c>output_cost_per_token</c>,
/// <c>cache_read_input_token_cost</c>, <c>cache_creation_input_token_cost</c> (5-minute writes),
/// <c>cache_creation_input_token_cost_above_1hr</c>, each optionally with an <c>_above_NNNk_tokens</c> tier;
/// <c>price_valid_until</c> ends a temporary price.
/// </summary>
internal static partial class ShippedPrices
{
    public const string ResourceName = "Pricing/genai-prices.json";
    public const string FallbackResourceName = "Pricing/litellm-prices.json";

    private static readonly Lazy<(MatchedPrices Matched, PriceList Fallback, string Source, string SourceDate)> Table = new(Load);

    /// <summary>The prices from <c>@pydantic/genai-prices</c>.</summary>
    public static MatchedPrices Matched => Table.Value.Matched;

    /// <summary>LiteLLM's prices of the models <see cref="Matched"/> lacks.</summary>
    public static PriceList Fallback => Table.Value.Fallback;

    /// <summary>Where the main table came from, as recorded in it.</summary>
    public static string Source => Table.Value.Source;

    /// <summary>The day the source was taken (yyyy-MM-dd).</summary>
    public static string SourceDate => Table.Value.SourceDate;

    /// <summary>Reads a table in the shipped format; throws <see cref="FormatException"/> naming the bad field.</summary>
    public static IReadOnlyDictionary<string, ModelPrice> Parse(JsonElement models)
    {
        var prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in models.EnumerateObject())
        {
            var fields = new Dictionary<(string Kind, long Above), decimal>();
            DateOnly? until = null;
            foreach (var property in model.Value.EnumerateObject())
            {
                if (property.NameEquals("price_valid_until"))
                {
                    until = DateOnly.ParseExact(property.Value.GetString() ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture);
                    continue;
                }
                if (Field().Match(property.Name) is not { Success: true } match)
                    continue;
                if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDecimal(out var value) || value < 0)
                    throw new FormatException($"{model.Name}.{property.Name} is not a non-negative number.");
                var above = match.Groups["k"].Success ? long.Parse(match.Groups["k"].Value, CultureInfo.InvariantCulture) * 1000 : 0;
                fields[(match.Groups["kind"].Value, above)] = value;
            }
            decimal? Get(string kind, long above) => fields.TryGetValue((kind, above), out var v) ? v : null;
            if (Get(InputKind, 0) is not { } input || Get(OutputKind, 0) is not { } output)
                throw new FormatException($"{model.Name} has no input_cost_per_token or output_cost_per_token.");
            var tiers = fields.Keys.Where(k => k.Above > 0).Select(k => k.Above).Distinct().Order()
                .Select(above => new PriceTier(above, Get(InputKind, above), Get(OutputKind, above), Get(CacheReadKind, above),
                    Get(CacheWriteKind, above), Get(CacheWrite1hKind, above)))
                .ToList();
            prices[model.Name] = new ModelPrice(new TokenPrices(input, output, Get(CacheReadKind, 0), Get(CacheWriteKind, 0), Get(CacheWrite1hKind, 0)))
            {
                Tiers = tiers,
                ValidUntil = until,
            };
        }
        return prices;
    }

    private const string InputKind = "input_cost_per_token";
    private const string OutputKind = "output_cost_per_token";
    private const string CacheReadKind = "cache_read_input_token_cost";
    private const string CacheWriteKind = "cache_creation_input_token_cost";
    private const string CacheWrite1hKind = "cache_creation_input_token_cost_above_1hr";

    private static (MatchedPrices, PriceList, string, string) Load()
    {
        using var main = Resource(ResourceName);
        using var fallback = Resource(FallbackResourceName);
        var root = main.RootElement;
        return (MatchedPrices.Parse(root.GetProperty("providers")), new PriceList(Parse(fallback.RootElement.GetProperty("models"))),
            root.GetProperty("source").GetString() ?? "", root.GetProperty("source_date").GetString() ?? "");
    }

    private static JsonDocument Resource(string name)
    {
        using var stream = typeof(ShippedPrices).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded price table {name} is missing from the build.");
        return JsonDocument.Parse(stream);
    }

    [GeneratedRegex("^(?<kind>input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost_above_1hr|cache_creation_input_token_cost)(?:_above_(?<k>[0-9]+)k_tokens)?$")]
    private static partial Regex Field();
}
