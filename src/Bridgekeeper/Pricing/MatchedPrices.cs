using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bridgekeeper.Pricing;

/// <summary>
/// The table derived from <c>@pydantic/genai-prices</c> (<c>Pricing/genai-prices.json</c>, written by
/// <c>tools/prices/generate.mjs</c>): for each provider, models in the source's order, each with the rule that
/// matches the names it answers to and its prices, dated where the source dates them. A name is priced by the first
/// model whose rule matches it, as the source's own lookup does: the name as given (lowercased), then with a
/// <c>-YYYYMMDD</c> snapshot date written <c>-YYYY-MM-DD</c>; and for ids the source does not know (Bedrock's, a
/// provider prefix) the names <see cref="ModelIds.ExactForms"/> derives, in turn.
/// </summary>
internal sealed partial class MatchedPrices
{
    private readonly IReadOnlyList<Model> _models;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Model?> _resolved = new(StringComparer.Ordinal);
    private const int MaxResolved = 4096;

    private MatchedPrices(IReadOnlyList<Model> models) => _models = models;

    public int Count => _models.Count;

    /// <summary>The price in force at <paramref name="at"/> for <paramref name="model"/>: the latest dated price that has begun, else the undated one; null when no rule matches.</summary>
    public ModelPrice? Find(string model, DateTimeOffset at) => Resolve(model)?.PriceAt(at);

    /// <summary>The id of the model <paramref name="model"/> resolves to, or null.</summary>
    public string? Match(string model) => Resolve(model)?.Id;

    /// <summary>Reads the table; throws <see cref="FormatException"/> naming what it cannot use.</summary>
    public static MatchedPrices Parse(JsonElement providers)
    {
        var models = new List<Model>();
        foreach (var provider in providers.EnumerateArray())
            foreach (var model in provider.GetProperty("models").EnumerateArray())
            {
                var id = model.GetProperty("id").GetString() ?? throw new FormatException("A model has no id.");
                var rule = MatchRule.Parse(model.GetProperty("match"), id);
                var dated = new List<(DateTimeOffset? Start, ModelPrice Price)>();
                if (model.TryGetProperty("unpriced", out var unpriced) && unpriced.GetBoolean())
                {
                    models.Add(new Model(id, rule, dated));        // its names are its own, and cost null
                    continue;
                }
                foreach (var variant in model.GetProperty("prices").EnumerateArray())
                {
                    DateTimeOffset? start = variant.GetProperty("start_date").ValueKind == JsonValueKind.Null ? null
                        : DateTimeOffset.ParseExact(variant.GetProperty("start_date").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture,
                            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                    dated.Add((start, Price(id, variant.GetProperty("prices"))));
                }
                if (dated.Count == 0 || dated[0].Start is not null)
                    throw new FormatException($"{id}: the first price must be undated.");
                models.Add(new Model(id, rule, dated));
            }
        return new MatchedPrices(models);
    }

    private Model? Resolve(string model)
    {
        if (_resolved.TryGetValue(model, out var known))
            return known;
        Model? found = null;
        foreach (var form in ModelIds.ExactForms(model))
        {
            var name = form.Trim().ToLowerInvariant();
            found = First(name) ?? (DashedDate().Replace(name, Dashed) is var dashed && dashed != name ? First(dashed) : null);
            if (found is not null)
                break;
        }
        if (_resolved.Count < MaxResolved)
            _resolved.TryAdd(model, found);
        return found;
    }

    private Model? First(string name)
    {
        foreach (var model in _models)
            if (model.Rule.Matches(name))
                return model;
        return null;
    }

    /// <summary>One model's prices, USD per million tokens (per 1,000 web searches), each a number or <c>{base, tiers: [{start, price}]}</c>.</summary>
    private static ModelPrice Price(string id, JsonElement prices)
    {
        var keys = new Dictionary<string, (decimal Base, IReadOnlyList<(long Start, decimal Price)> Tiers)>();
        foreach (var key in prices.EnumerateObject())
        {
            if (!Keys.Contains(key.Name))
                throw new FormatException($"{id}: the price '{key.Name}' is not one the gateway knows; update the gateway before shipping it.");
            keys[key.Name] = key.Value.ValueKind == JsonValueKind.Number
                ? (Number(id, key.Name, key.Value), [])
                : (Number(id, key.Name, key.Value.GetProperty("base")), [.. key.Value.GetProperty("tiers").EnumerateArray()
                    .Select(t => (t.GetProperty("start").GetInt64(), Number(id, key.Name, t.GetProperty("price")))).OrderBy(t => t.Item1)]);
        }
        if (!keys.ContainsKey("input_mtok") || !keys.ContainsKey("output_mtok"))
            throw new FormatException($"{id}: no input_mtok or output_mtok.");
        // The source tiers each price on its own; the gateway's tiers are whole bands: one per start, each price taking
        // its own tier in force just above that start (the source charges a tier once the input is above its start).
        decimal? At(string key, long above) =>
            keys.TryGetValue(key, out var p) ? PerToken(key, p.Tiers.LastOrDefault(t => t.Start <= above, (0, p.Base)).Item2) : null;
        var starts = keys.Values.SelectMany(k => k.Tiers.Select(t => t.Start)).Distinct().Order();
        return new ModelPrice(new TokenPrices(At("input_mtok", 0)!.Value, At("output_mtok", 0)!.Value, At("cache_read_mtok", 0), At("cache_write_mtok", 0),
            At("cache_write_1h_mtok", 0)))
        {
            Tiers = [.. starts.Select(s => new PriceTier(s, At("input_mtok", s), At("output_mtok", s), At("cache_read_mtok", s), At("cache_write_mtok", s),
                At("cache_write_1h_mtok", s)))],
            WebSearchPerThousand = keys.TryGetValue("web_searches_kcount", out var search) ? search.Base : null,
        };
    }

    private static readonly HashSet<string> Keys = ["input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_1h_mtok", "web_searches_kcount"];

    private static decimal PerToken(string key, decimal price) => key == "web_searches_kcount" ? price : price / 1_000_000m;

    private static decimal Number(string id, string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number) && number >= 0 ? number
            : throw new FormatException($"{id}.{key} is not a non-negative number.");

    /// <summary><c>-YYYYMMDD</c> as <c>-YYYY-MM-DD</c> when it is a real date (the source's rewrite), else unchanged.</summary>
    private static string Dashed(Match date) =>
        DateOnly.TryParseExact(date.Value[1..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? $"-{date.Groups[1].Value}-{date.Groups[2].Value}-{date.Groups[3].Value}" : date.Value;

    /// <summary>A snapshot date written <c>-YYYYMMDD</c>, followed by <c>-</c>, <c>:</c> or the end.</summary>
    [GeneratedRegex(@"-(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)")]
    private static partial Regex DashedDate();

    private sealed record Model(string Id, MatchRule Rule, IReadOnlyList<(DateTimeOffset? Start, ModelPrice Price)> Dated)
    {
        /// <summary>The last dated price that has begun at <paramref name="at"/>, else the undated first one (the source's rule); null for a model the source gives no token prices.</summary>
        public ModelPrice? PriceAt(DateTimeOffset at)
        {
            if (Dated.Count == 0)
                return null;
            for (var i = Dated.Count - 1; i > 0; i--)
                if (Dated[i].Start is { } start && at >= start)
                    return Dated[i].Price;
            return Dated[0].Price;
        }
    }
}
