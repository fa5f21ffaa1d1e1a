using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using Bridgekeeper.Providers;
using Bridgekeeper.Settings;
using Bridgekeeper.Storage;
using YamlDotNet.RepresentationModel;

namespace Bridgekeeper.Hosting;

/// <summary>
/// Builds <see cref="GatewaySettings"/> from flags, then <c>BRIDGEKEEPER_*</c> environment variables, then a YAML file,
/// then defaults (SPEC §2). Any bad value throws <see cref="SettingsException"/> naming the setting.
/// </summary>
internal static partial class SettingsLoader
{
    /// <param name="flags">Flag values by setting key (e.g. <c>http_address</c>); absent or null means not given.</param>
    /// <param name="environment">Environment variables (usually <see cref="Environment.GetEnvironmentVariables()"/>).</param>
    /// <param name="configFile">A YAML file path, or null.</param>
    public static GatewaySettings Load(IReadOnlyDictionary<string, string?> flags, IDictionary environment, string? configFile, bool demo = false)
    {
        var yaml = ReadYaml(configFile);
        string? Get(string key)
        {
            if (flags.TryGetValue(key, out var flag) && flag is not null)
                return flag;
            if (environment["BRIDGEKEEPER_" + key.ToUpperInvariant()] is string env)
                return env;
            if (yaml.TryGetValue(key, out var node))
                return node is YamlScalarNode scalar ? scalar.Value : throw new SettingsException(key, $"must be a single value in '{configFile}', not a list or a map.");
            return SettingDefinition.All.FirstOrDefault(d => d.Key == key)?.Default;
        }

        // The YAML node of a setting that neither a flag nor the environment gives.
        YamlNode? InYamlOnly(string key) =>
            flags.GetValueOrDefault(key) is null && environment["BRIDGEKEEPER_" + key.ToUpperInvariant()] is null
                && yaml.TryGetValue(key, out var node) ? node : null;

        // A key pool may be a YAML list; given as a flag or in the environment it is comma-separated.
        string? GetList(string key) => InYamlOnly(key) is YamlSequenceNode list ? Joined(key, list) : Get(key);

        var settings = new GatewaySettings
        {
            HttpAddress = Address("http_address", Get("http_address")!),
            MetricsAddress = MetricsAddress(Get("http_address")!, Blank(Get("metrics_address"))),
            Database = NotEmpty("database", Get("database")),
            Retention = Duration("retention", Get("retention")),
            StructuredLogging = Bool("structured_logging", Get("structured_logging")),
            LogFormat = OneOf("log_format", Get("log_format"), "human", "json"),
            MaxRequestBodyBytes = Integer("max_request_body", Get("max_request_body"), 1024, long.MaxValue),
            KeepAliveInterval = Duration("keepalive_interval", Get("keepalive_interval"), positive: true),
            UpstreamIdleTimeout = Duration("upstream_idle_timeout", Get("upstream_idle_timeout"), positive: true),
            AuditQueueCapacity = (int)Integer("audit_queue_capacity", Get("audit_queue_capacity"), 1, 10_000_000),
            AuditQueueBytes = Integer("audit_queue_bytes", Get("audit_queue_bytes"), 1024 * 1024, long.MaxValue),
            SpoolBytes = Integer("spool_bytes", Get("spool_bytes"), 0, long.MaxValue),
            SpoolFsync = Bool("spool_fsync", Get("spool_fsync")),
            SpoolDir = Blank(Get("spool_dir")),
            RequestBufferBytes = Integer("request_buffer_bytes", Get("request_buffer_bytes"), 1024 * 1024, long.MaxValue),
            MaxConcurrentPerKey = (int)Integer("max_concurrent_per_key", Get("max_concurrent_per_key"), 0, 1_000_000),
            BudgetDefaultMaxTokens = Integer("budget_default_max_tokens", Get("budget_default_max_tokens"), 1, 10_000_000),
            BudgetWebhookUrl = WebhookUrl(Blank(Get("budget_webhook_url"))),
            BudgetWebhookSecret = WebhookSecret(Blank(Get("budget_webhook_url")), Blank(Get("budget_webhook_secret"))),
            AuthFailureLimit = (int)Integer("auth_failure_limit", Get("auth_failure_limit"), 0, 1_000_000),
            McpMaxRounds = (int)Integer("mcp_max_rounds", Get("mcp_max_rounds"), 1, 1000),
            McpToolTimeout = Duration("mcp_tool_timeout", Get("mcp_tool_timeout"), positive: true),
            McpLoopTimeout = Duration("mcp_loop_timeout", Get("mcp_loop_timeout"), positive: true),
            SecretKey = SecretKey(Get("secret_key")),
            SecretKeyPrevious = SecretKeyPrevious(Get("secret_key_previous")),
            Demo = demo,
        };
        var providers = Providers(Get, GetList, environment, yaml);
        return settings with
        {
            Providers = providers,
            Proxy = Proxy(Get, InYamlOnly("proxy_hosts") as YamlMappingNode, settings.HttpAddress, providers),
            McpServers = McpSettings.Load(environment, yaml),
            Prices = PriceSettings.Load(Blank(Get(PriceSettings.FileKey)), yaml),
            ModelAliases = SpendSettings.Aliases(environment, yaml, providers),
            SpendDeclarations = SpendSettings.Declarations(yaml),
        };
    }

    private static List<ProviderSettings> Providers(Func<string, string?> get, Func<string, string?> getList, IDictionary environment,
        Dictionary<string, YamlNode> yaml)
    {
        List<ProviderSettings> providers =
        [
            WithPool(new("openai", ProviderTypes.OpenAI, Blank(get("openai_key")), BaseUrl("openai_base_url", get("openai_base_url")),
                HeaderValue("openai_organization", get("openai_organization")), HeaderValue("openai_project", get("openai_project"))),
                "openai_key", "openai_keys", getList("openai_keys")),
            WithPool(new("anthropic", ProviderTypes.Anthropic, Blank(get("anthropic_key")), BaseUrl("anthropic_base_url", get("anthropic_base_url"))),
                "anthropic_key", "anthropic_keys", getList("anthropic_keys")),
        ];
        if (BedrockSettingsLoader.Default(get, yaml) is { } bedrock)
            providers.Add(bedrock);
        for (var n = 0; environment[$"BRIDGEKEEPER_PROVIDER_{n}_TYPE"] is string type; n++)
        {
            string? Field(string field) => environment[$"BRIDGEKEEPER_PROVIDER_{n}_{field}"] as string;
            var setting = $"BRIDGEKEEPER_PROVIDER_{n}";
            providers.Add(IsBedrock(type)
                ? BedrockSettingsLoader.Instance(Name(setting, Field("NAME")), setting + "_", f => Field(f.ToUpperInvariant()))
                : WithPool(Provider(setting, type, Field("NAME"), Field("KEY"), Field("BASE_URL"), Field("ORGANIZATION"), Field("PROJECT")),
                    setting + "_KEY", setting + "_KEYS", Field("KEYS")));
        }
        if (yaml.TryGetValue("providers", out var list))
        {
            if (list is not YamlSequenceNode sequence)
                throw new SettingsException("providers", "must be a list of {type, name, key, base_url} maps.");
            var index = 0;
            foreach (var item in sequence)
            {
                if (item is not YamlMappingNode map)
                    throw new SettingsException($"providers[{index}]", "must be a map with type, name, key and base_url.");
                string? Field(string field) => map.Children.TryGetValue(new YamlScalarNode(field), out var v) ? (v as YamlScalarNode)?.Value : null;
                var setting = $"providers[{index}]";
                var keys = map.Children.TryGetValue(new YamlScalarNode("keys"), out var pool) && pool is YamlSequenceNode poolList
                    ? Joined(setting + "_KEYS", poolList) : Field("keys");
                providers.Add(IsBedrock(Field("type"))
                    ? BedrockSettingsLoader.Instance(Name(setting, Field("name")), setting + ".", Field,
                        map.Children.TryGetValue(new YamlScalarNode("models"), out var models) ? models : null)
                    : WithPool(Provider(setting, Field("type") ?? "", Field("name"), Field("key"), Field("base_url"),
                        Field("organization"), Field("project")), setting + "_KEY", setting + "_KEYS", keys));
                index++;
            }
        }

        var duplicate = providers.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new SettingsException("providers", $"the provider name '{duplicate.Key}' is used twice.");
        return providers;
    }

    private static ProviderSettings Provider(string setting, string type, string? name, string? key, string? baseUrl,
        string? organization, string? project)
    {
        type = type.Trim().ToLowerInvariant();
        if (type is not (ProviderTypes.OpenAI or ProviderTypes.Anthropic or ProviderTypes.Copilot))
            throw new SettingsException(setting + "_TYPE", $"'{type}' is not a provider type this build serves (openai, anthropic, bedrock, copilot).");
        name = Name(setting, name);
        if (type == ProviderTypes.Copilot && Blank(key) is not null)
            throw CopilotKey(setting + "_KEY");
        var defaultUrl = type switch
        {
            ProviderTypes.OpenAI => "https://api.openai.com/v1/",
            ProviderTypes.Copilot => "https://api.individual.githubcopilot.com/",
            _ => "https://api.anthropic.com/",
        };
        if (type != ProviderTypes.OpenAI && (Blank(organization) ?? Blank(project)) is not null)
            throw new SettingsException(setting + "_ORGANIZATION", "only an openai provider has an organization or project.");
        return new ProviderSettings(name, type, Blank(key), BaseUrl(setting + "_BASE_URL", baseUrl ?? defaultUrl),
            HeaderValue(setting + "_ORGANIZATION", organization), HeaderValue(setting + "_PROJECT", project));
    }

    private static bool IsBedrock(string? type) => type?.Trim().ToLowerInvariant() == ProviderTypes.Bedrock;

    /// <summary>A provider instance's name: lowercase letters and digits in words joined by '-' (it is the first segment of its routes).</summary>
    private static string Name(string setting, string? name) =>
        name is not null && ProviderName().IsMatch(name) ? name
            : throw new SettingsException(setting + "_NAME", $"'{name}' is not a provider name: lowercase letters and digits, words joined by '-' (such as bedrock-eu).");

    /// <summary>
    /// Adds the key pool (<paramref name="keys"/>: comma-separated, blanks skipped) after the provider's own key. Every
    /// key must be printable ASCII without spaces, since it goes into a header.
    /// </summary>
    private static ProviderSettings WithPool(ProviderSettings provider, string keySetting, string keysSetting, string? keys)
    {
        if (provider.Key is { } key)
            UpstreamKey(keySetting, key);
        var pool = (keys ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (pool.Length > 0 && provider.Type == ProviderTypes.Copilot)
            throw CopilotKey(keysSetting);
        foreach (var k in pool)
            UpstreamKey(keysSetting, k);
        return pool.Length == 0 ? provider : provider with { Key = provider.Key ?? pool[0], Keys = pool };
    }

    /// <summary>A copilot instance is never given a key: the credential upstream is each user's own Copilot token.</summary>
    private static SettingsException CopilotKey(string setting) =>
        new(setting, "a copilot provider takes no key: each user's own Copilot token (their Authorization header) is forwarded upstream.");

    private static void UpstreamKey(string setting, string key)
    {
        if (key.Any(c => c is <= ' ' or > '~'))
            throw new SettingsException(setting, "holds a character that cannot be sent in a header (a key is printable ASCII without spaces).");
    }

    /// <summary>A YAML list of plain values as one comma-separated value.</summary>
    private static string Joined(string setting, YamlSequenceNode list) =>
        string.Join(',', list.Children.Select(item => item is YamlScalarNode { Value: { } value }
            ? value : throw new SettingsException(setting, "must be a list of plain values (or one comma-separated value).")));

    private static Dictionary<string, YamlNode> ReadYaml(string? path)
    {
        if (path is null)
            return [];
        if (!File.Exists(path))
            throw new SettingsException("config", $"the file '{path}' does not exist.");
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new SettingsException("config", $"'{path}' is not valid YAML ({e.Start}): {e.Message}");
        }
        if (stream.Documents.Count == 0)
            return [];
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new SettingsException("config", $"'{path}' must hold a map of settings.");
        var known = SettingDefinition.All.Select(d => d.Key).Append("providers").Append(McpSettings.YamlKey).Append(PriceSettings.YamlKey).Concat(SpendSettings.YamlKeys).ToHashSet();
        var result = new Dictionary<string, YamlNode>();
        foreach (var (k, v) in root.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? throw new SettingsException("config", $"'{path}' has a key that is not plain text (line {k.Start.Line}).");
            if (!known.Contains(key))
                throw new SettingsException(key, $"is not a known setting (in '{path}').");
            result[key] = v;
        }
        return result;
    }

    private static string Address(string setting, string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535
            || (value[..colon] is not ("*" or "+") && Uri.CheckHostName(value[..colon].Trim('[', ']')) == UriHostNameType.Unknown))
            throw new SettingsException(setting, $"'{value}' is not host:port (for example 127.0.0.1:8080).");
        return value;
    }

    private static string? MetricsAddress(string httpAddress, string? value)
    {
        if (value is null)
            return null;
        Address("metrics_address", value);
        if (string.Equals(value, httpAddress, StringComparison.OrdinalIgnoreCase) && !value.EndsWith(":0", StringComparison.Ordinal))
            throw new SettingsException("metrics_address", $"'{value}' is http_address too; give /metrics an address of its own, or leave metrics_address unset.");
        return value;
    }

    private static string? SecretKey(string? value)
    {
        value = Blank(value);
        if (value is not null)
            SecretKeyring.ParseKey(SecretKeyring.KeySetting, value);
        return value;
    }

    private static string? SecretKeyPrevious(string? value)
    {
        value = Blank(value);
        SecretKeyring.ParsePreviousKeys(value);
        return value;
    }

    private static Uri? WebhookUrl(string? value)
    {
        if (value is null)
            return null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new SettingsException("budget_webhook_url", $"'{value}' is not an absolute http(s) URL.");
        if (uri.UserInfo.Length > 0)    // never echoed: it holds a credential
            throw new SettingsException("budget_webhook_url", "must not hold credentials; the notifications are signed with budget_webhook_secret instead.");
        return uri;
    }

    private static string? WebhookSecret(string? url, string? secret) =>
        url is not null && secret is null
            ? throw new SettingsException("budget_webhook_secret", $"must be set when budget_webhook_url is ('{url}'): the notifications are signed with it.")
            : secret;

    private static Uri BaseUrl(string setting, string? value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new SettingsException(setting, $"'{value}' is not an absolute http(s) URL.");
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    /// <summary>A value that goes into an upstream header: printable ASCII only, so it cannot split or smuggle a header.</summary>
    private static string? HeaderValue(string setting, string? value)
    {
        var text = Blank(value);
        if (text is not null && text.Any(c => c is < ' ' or > '~'))
            throw new SettingsException(setting, "must be printable ASCII (an id such as org-... or proj_...).");
        return text;
    }

    private static TimeSpan Duration(string setting, string? value, bool positive = false)
    {
        if (!Durations.TryParse(value, out var duration) || (positive && duration <= TimeSpan.Zero))
            throw new SettingsException(setting, $"'{value}' is not a {(positive ? "positive " : "")}duration such as 15s, 10m, 24h or 60d.");
        return duration;
    }

    private static bool Bool(string setting, string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" or "" or null => false,
        _ => throw new SettingsException(setting, $"'{value}' is not true or false."),
    };

    private static long Integer(string setting, string? value, long min, long max)
    {
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
            throw new SettingsException(setting, $"'{value}' is not a whole number from {min} to {max}.");
        return number;
    }

    private static string OneOf(string setting, string? value, params string[] allowed) =>
        allowed.Contains(value) ? value! : throw new SettingsException(setting, $"'{value}' is not one of {string.Join(", ", allowed)}.");

    private static string NotEmpty(string setting, string? value) =>
        string.IsNullOrWhiteSpace(value) ? throw new SettingsException(setting, "must not be empty.") : value;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ProviderName();
}
