using System.Globalization;
using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;
using Bridgekeeper.Settings;
using YamlDotNet.RepresentationModel;

namespace Bridgekeeper.Hosting;

/// <summary>
/// The operator's model prices, in USD per million tokens: the YAML map <c>prices</c> (model → <c>input</c>,
/// <c>output</c>, optional <c>cache_read</c>, <c>cache_write</c>, and <c>web_searches</c> in USD per 1,000), then the file named by <c>prices_file</c>
/// (YAML or JSON: the same map, at the top or under <c>prices:</c>), whose entries win for the same model. An
/// operator's entry replaces the shipped one for that model whole (no long-context tier unless given again). An entry
/// may add <c>service_tiers</c>: <c>flex</c>, <c>priority</c> or <c>scale</c>, each with its own four fields, billed for
/// usage the response says that tier served (the shipped source prices no tier).
/// </summary>
internal static class PriceSettings
{
    public const string YamlKey = "prices";
    public const string FileKey = "prices_file";

    private static readonly string[] Fields = ["input", "output", "cache_read", "cache_write", "web_searches"];
    private const string TiersKey = "service_tiers";

    public static IReadOnlyDictionary<string, ModelPrice> Load(string? pricesFile, IReadOnlyDictionary<string, YamlNode> yaml)
    {
        var prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        if (yaml.TryGetValue(YamlKey, out var node))
            Read(YamlKey, node, prices);
        if (pricesFile is not null)
            Read($"{FileKey} ({pricesFile})", ReadFile(pricesFile), prices);
        return prices;
    }

    private static YamlNode ReadFile(string path)
    {
        if (!File.Exists(path))
            throw new SettingsException(FileKey, $"the file '{path}' does not exist.");
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new SettingsException(FileKey, $"'{path}' is not valid YAML or JSON ({e.Start}): {e.Message}");
        }
        if (stream.Documents.Count == 0)
            return new YamlMappingNode();
        var root = stream.Documents[0].RootNode;
        return root is YamlMappingNode map && map.Children.Count == 1 && map.Children.TryGetValue(new YamlScalarNode(YamlKey), out var inner)
            ? inner
            : root;
    }

    private static void Read(string setting, YamlNode node, Dictionary<string, ModelPrice> prices)
    {
        if (node is YamlScalarNode { Value: null or "" })
            return;
        if (node is not YamlMappingNode models)
            throw new SettingsException(setting, "must map model names to {input, output, cache_read, cache_write} in USD per million tokens.");
        foreach (var (key, value) in models.Children)
        {
            var model = (key as YamlScalarNode)?.Value?.Trim();
            if (string.IsNullOrEmpty(model))
                throw new SettingsException(setting, "has an entry without a model name.");
            prices[model] = Price($"{setting}.{model}", value, tiersAllowed: true);
        }
    }

    /// <summary>One price: the fields in USD per million tokens and, for a model (not a tier), its <c>service_tiers</c>.</summary>
    private static ModelPrice Price(string name, YamlNode value, bool tiersAllowed)
    {
        if (value is not YamlMappingNode fields)
            throw new SettingsException(name, "must be a map of input, output, cache_read and cache_write (USD per million tokens).");
        var given = new Dictionary<string, decimal>();
        var tiers = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        foreach (var (fieldKey, fieldValue) in fields.Children)
        {
            var field = (fieldKey as YamlScalarNode)?.Value ?? "";
            if (tiersAllowed && field == TiersKey)
            {
                ReadTiers($"{name}.{TiersKey}", fieldValue, tiers);
                continue;
            }
            if (!Fields.Contains(field))
                throw new SettingsException($"{name}.{field}", $"is not a price field ({string.Join(", ", tiersAllowed ? [.. Fields, TiersKey] : Fields)}).");
            var text = (fieldValue as YamlScalarNode)?.Value;
            if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var price)
                || price < 0)
                throw new SettingsException($"{name}.{field}", $"'{text}' is not a price: a number of USD per million tokens (per 1,000 web searches), 0 or more.");
            given[field] = price;
        }
        foreach (var required in Fields[..2])
        {
            if (!given.ContainsKey(required))
                throw new SettingsException($"{name}.{required}", "is required (USD per million tokens).");
        }
        return ModelPrice.PerMillionTokens(given["input"], given["output"],
            given.TryGetValue("cache_read", out var read) ? read : null, given.TryGetValue("cache_write", out var write) ? write : null) with
        {
            WebSearchPerThousand = given.TryGetValue("web_searches", out var searches) ? searches : null,
            ServiceTiers = tiers,
        };
    }

    /// <summary><c>service_tiers</c>: OpenAI tiers (<c>flex</c>, <c>priority</c>, <c>scale</c>) mapped to their own prices.</summary>
    private static void ReadTiers(string name, YamlNode node, Dictionary<string, ModelPrice> tiers)
    {
        if (node is not YamlMappingNode map)
            throw new SettingsException(name, $"must map service tiers ({string.Join(", ", OpenAIUsage.PricedTiers)}) to prices.");
        foreach (var (key, value) in map.Children)
        {
            var tier = (key as YamlScalarNode)?.Value?.Trim() ?? "";
            if (!OpenAIUsage.PricedTiers.Contains(tier))
                throw new SettingsException($"{name}.{tier}", $"is not a service tier OpenAI prices apart ({string.Join(", ", OpenAIUsage.PricedTiers)}).");
            tiers[tier] = Price($"{name}.{tier}", value, tiersAllowed: false);
        }
    }
}
