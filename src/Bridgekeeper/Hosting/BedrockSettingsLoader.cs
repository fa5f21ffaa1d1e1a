using System.Text.RegularExpressions;
using Bridgekeeper.Providers;
using Bridgekeeper.Settings;
using YamlDotNet.RepresentationModel;

namespace Bridgekeeper.Hosting;

/// <summary>
/// Bedrock instances (SPEC §2): the default <c>bedrock</c> one from <c>bedrock_region</c>, <c>bedrock_access_key</c>,
/// <c>bedrock_access_key_secret</c>, <c>bedrock_session_token</c>, <c>bedrock_model</c>, <c>bedrock_small_fast_model</c>,
/// <c>bedrock_models</c> and <c>bedrock_base_url</c> (and their <c>BRIDGEKEEPER_BEDROCK_…</c> forms), present when any
/// of them is set; more as <c>BRIDGEKEEPER_PROVIDER_&lt;N&gt;_…</c> with type <c>bedrock</c>, or YAML <c>providers</c>
/// entries, with the same fields (<c>_REGION</c>, <c>_ACCESS_KEY</c>, …, or <c>region</c>, <c>access_key</c>, …).
/// </summary>
internal static partial class BedrockSettingsLoader
{
    private static readonly string[] Fields = ["region", "access_key", "access_key_secret", "session_token", "model", "small_fast_model", "models", "base_url"];

    /// <summary>The default instance, or null when no <c>bedrock_…</c> setting is given.</summary>
    /// <param name="get">A setting's value by key (flags, environment, YAML scalars).</param>
    public static ProviderSettings? Default(Func<string, string?> get, IReadOnlyDictionary<string, YamlNode> yaml)
    {
        var models = yaml.GetValueOrDefault("bedrock_models") as YamlMappingNode;
        string? Field(string field) => field == "models" && models is not null ? null : get("bedrock_" + field);
        if (Fields.All(field => Blank(Field(field)) is null) && models is null)
            return null;
        return Instance("bedrock", "bedrock_", Field, models);
    }

    /// <summary>One instance; <paramref name="setting"/> prefixes the names in errors (<c>bedrock_</c>, <c>BRIDGEKEEPER_PROVIDER_0_</c>, <c>providers[0].</c>).</summary>
    /// <param name="field">A field's value by its lowercase name (<c>region</c>, <c>access_key</c>, …).</param>
    /// <param name="models">The YAML map of model names, when the instance comes from YAML.</param>
    public static ProviderSettings Instance(string name, string setting, Func<string, string?> field, YamlNode? models = null)
    {
        string Name(string f) => setting.EndsWith('_') && char.IsUpper(setting[0]) ? setting + f.ToUpperInvariant() : setting + f;
        var region = Blank(field("region")) ?? throw new SettingsException(Name("region"), "is required for a bedrock provider (such as us-east-1).");
        if (!Region().IsMatch(region))
            throw new SettingsException(Name("region"), $"'{region}' is not an AWS region (such as us-east-1).");
        var accessKey = Blank(field("access_key"));
        var secret = Blank(field("access_key_secret"));
        if ((accessKey is null) != (secret is null))
            throw new SettingsException(Name(accessKey is null ? "access_key" : "access_key_secret"),
                "must be set together with the other of access_key and access_key_secret (or leave both unset to use the AWS default credentials).");
        var token = Blank(field("session_token"));
        if (token is not null && accessKey is null)
            throw new SettingsException(Name("session_token"), "needs access_key and access_key_secret.");
        var baseUrl = Blank(field("base_url")) is { } url
            ? Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? uri
                : throw new SettingsException(Name("base_url"), $"'{url}' is not an absolute http(s) URL.")
            : BedrockSettings.RegionalUrl(region);
        var bedrock = new BedrockSettings(region, accessKey, secret, token, Blank(field("model")), Blank(field("small_fast_model")),
            Models(Name("models"), field("models"), models));
        return new ProviderSettings(name, ProviderTypes.Bedrock, null, baseUrl, Bedrock: bedrock);
    }

    /// <summary>Client model name → Bedrock model id: a YAML map, or <c>name=id,name=id</c>.</summary>
    private static Dictionary<string, string> Models(string setting, string? text, YamlNode? node)
    {
        Dictionary<string, string> models = new(StringComparer.Ordinal);
        if (node is YamlMappingNode map)
        {
            foreach (var (key, value) in map.Children)
                Add((key as YamlScalarNode)?.Value, (value as YamlScalarNode)?.Value);
        }
        else if (node is not null and not YamlScalarNode)
            throw new SettingsException(setting, "must be a map of client model names to Bedrock model ids.");
        else
            foreach (var pair in (Blank(text) ?? (node as YamlScalarNode)?.Value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                Add(pair.Split('=', 2) is [var k, var v] ? k.Trim() : pair, pair.Split('=', 2) is [_, var id] ? id.Trim() : null);
        return models;

        void Add(string? name, string? id)
        {
            if (Blank(name) is not { } n || Blank(id) is not { } i)
                throw new SettingsException(setting, $"'{name}={id}' is not a client model name = Bedrock model id pair.");
            models[n] = i;
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex Region();
}
