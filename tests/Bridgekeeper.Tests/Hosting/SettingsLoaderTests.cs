using System.Collections;
using Bridgekeeper.Hosting;
using Bridgekeeper.Settings;

namespace Bridgekeeper.Tests.Hosting;

public sealed class SettingsLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bk-settings-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Yaml(string text)
    {
        var path = Path.Combine(_folder, "bridgekeeper.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    private static Dictionary<string, string?> Flags(params (string Key, string Value)[] flags) => flags.ToDictionary(f => f.Key, f => (string?)f.Value);

    [Fact]
    public void Load_WebhookUrlWithCredentials_IsRefusedWithoutEchoingThem()
    {
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(
            Flags(("budget_webhook_url", "https://user:s3cret@hooks.example/"), ("budget_webhook_secret", "k")), new Hashtable(), null));

        Assert.Equal("budget_webhook_url", error.Setting);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Nothing_GivesSpecDefaults()
    {
        var settings = SettingsLoader.Load(Flags(), new Hashtable(), null);

        Assert.Equal("127.0.0.1:8080", settings.HttpAddress);
        Assert.Equal("data/bridgekeeper.db", settings.Database);
        Assert.Equal(TimeSpan.FromDays(60), settings.Retention);
        Assert.Equal("human", settings.LogFormat);
        Assert.False(settings.StructuredLogging);
        Assert.Equal(["openai", "anthropic"], settings.Providers.Select(p => p.Name));
        Assert.All(settings.Providers, p => Assert.Null(p.Key));
        Assert.Equal("https://api.openai.com/v1/", settings.Providers[0].BaseUrl.AbsoluteUri);
        Assert.Equal("https://api.anthropic.com/", settings.Providers[1].BaseUrl.AbsoluteUri);
    }

    [Fact]
    public void Load_AllThreeSources_FlagBeatsEnvironmentBeatsFile()
    {
        var file = Yaml("http_address: 127.0.0.1:1111\nretention: 1d\nlog_format: json\nopenai_key: from-file\n");
        var env = new Hashtable { ["BRIDGEKEEPER_HTTP_ADDRESS"] = "127.0.0.1:2222", ["BRIDGEKEEPER_RETENTION"] = "2d" };

        var settings = SettingsLoader.Load(Flags(("http_address", "127.0.0.1:3333")), env, file);

        Assert.Equal("127.0.0.1:3333", settings.HttpAddress);
        Assert.Equal(TimeSpan.FromDays(2), settings.Retention);
        Assert.Equal("json", settings.LogFormat);
        Assert.Equal("from-file", settings.Providers[0].Key);
    }

    [Fact]
    public void Load_ExtraProvidersFromEnvironmentAndFile_AreAdded()
    {
        var file = Yaml("providers:\n  - type: anthropic\n    name: claude-eu\n    key: k2\n    base_url: https://eu.example.com\n");
        var env = new Hashtable
        {
            ["BRIDGEKEEPER_PROVIDER_0_TYPE"] = "openai",
            ["BRIDGEKEEPER_PROVIDER_0_NAME"] = "azure",
            ["BRIDGEKEEPER_PROVIDER_0_KEY"] = "k1",
            ["BRIDGEKEEPER_PROVIDER_0_BASE_URL"] = "https://azure.example.com/openai/v1",
        };

        var settings = SettingsLoader.Load(Flags(), env, file);

        Assert.Equal(["openai", "anthropic", "azure", "claude-eu"], settings.Providers.Select(p => p.Name));
        Assert.Equal("https://azure.example.com/openai/v1/", settings.Providers[2].BaseUrl.AbsoluteUri);
        Assert.Equal(("anthropic", "k2"), (settings.Providers[3].Type, settings.Providers[3].Key));
    }

    [Fact]
    public void Load_KeyPools_KeyFirstThenTheListFromEveryKindOfSource()
    {
        var file = Yaml("""
            anthropic_keys: [ka-1, ka-2]
            providers:
              - type: anthropic
                name: listed
                keys: [kl-1, kl-2]
              - type: openai
                name: commas
                key: kc-0
                keys: "kc-1, kc-2,,"
            """);
        var env = new Hashtable
        {
            ["BRIDGEKEEPER_OPENAI_KEYS"] = "ko-2,ko-3",
            ["BRIDGEKEEPER_PROVIDER_0_TYPE"] = "openai",
            ["BRIDGEKEEPER_PROVIDER_0_NAME"] = "pooled",
            ["BRIDGEKEEPER_PROVIDER_0_KEYS"] = "kp-1,kp-2,kp-1",
        };

        var settings = SettingsLoader.Load(Flags(("openai_key", "ko-1")), env, file);

        Assert.Equal(
            [["ko-1", "ko-2", "ko-3"], ["ka-1", "ka-2"], ["kp-1", "kp-2"], ["kl-1", "kl-2"], ["kc-0", "kc-1", "kc-2"]],
            settings.Providers.Select(p => p.Keys.ToArray()));
        Assert.Equal(["ko-1", "ka-1", "kp-1", "kl-1", "kc-0"], settings.Providers.Select(p => p.Key));
    }

    [Theory]
    [InlineData("openai_keys", "good,bad key", "openai_keys")]
    [InlineData("anthropic_key", "line\nbreak", "anthropic_key")]
    public void Load_KeyThatCannotGoInAHeader_ThrowsNamingTheSettingNotTheKey(string key, string value, string named)
    {
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(Flags((key, value)), new Hashtable(), null));

        Assert.Equal(named, error.Setting);
        Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http_address", "localhost", "http_address")]
    [InlineData("retention", "forever", "retention")]
    [InlineData("log_format", "xml", "log_format")]
    [InlineData("structured_logging", "maybe", "structured_logging")]
    [InlineData("openai_base_url", "not a url", "openai_base_url")]
    [InlineData("keepalive_interval", "0", "keepalive_interval")]
    [InlineData("max_request_body", "-5", "max_request_body")]
    [InlineData("metrics_address", "9090", "metrics_address")]
    [InlineData("metrics_address", "127.0.0.1:99999", "metrics_address")]
    [InlineData("metrics_address", "127.0.0.1:8080", "metrics_address")]
    [InlineData("auth_failure_limit", "-1", "auth_failure_limit")]
    [InlineData("auth_failure_limit", "lots", "auth_failure_limit")]
    [InlineData("auth_failure_limit", "1000001", "auth_failure_limit")]
    [InlineData("max_request_body", "10MB", "max_request_body")]
    [InlineData("http_address", "bad host:8080", "http_address")]
    [InlineData("http_address", "127.0.0.1:65536", "http_address")]
    [InlineData("upstream_idle_timeout", "5 minutes", "upstream_idle_timeout")]
    [InlineData("audit_queue_capacity", "0", "audit_queue_capacity")]
    [InlineData("secret_key", "not base64!", "BRIDGEKEEPER_SECRET_KEY")]
    [InlineData("secret_key", "AAAA", "BRIDGEKEEPER_SECRET_KEY")]
    [InlineData("secret_key_previous", "AAAA", "BRIDGEKEEPER_SECRET_KEY_PREVIOUS")]
    [InlineData("budget_webhook_url", "https://hooks.example/budget", "budget_webhook_secret")]
    [InlineData("budget_webhook_url", "ftp://hooks.example/budget", "budget_webhook_url")]
    [InlineData("budget_default_max_tokens", "0", "budget_default_max_tokens")]
    public void Load_BadValue_ThrowsNamingTheSetting(string key, string value, string named)
    {
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(Flags((key, value)), new Hashtable(), null));

        Assert.Equal(named, error.Setting);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        if (!named.Contains("SECRET_KEY", StringComparison.Ordinal))
            Assert.Contains(value, error.Message, StringComparison.Ordinal);
        else
            Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);   // never echo a key, even a bad one
    }

    [Theory]
    [InlineData(null, null, null, null)]
    [InlineData("127.0.0.1:9090", "0.0.0.0:9191", null, "127.0.0.1:9090")]
    [InlineData(null, "0.0.0.0:9191", "[::1]:9292", "0.0.0.0:9191")]
    [InlineData(null, null, "[::1]:9292", "[::1]:9292")]
    [InlineData(null, " ", null, null)]
    public void Load_MetricsAddress_FlagThenEnvironmentThenFileThenOff(string? flag, string? env, string? file, string? expected)
    {
        var environment = new Hashtable();
        if (env is not null)
            environment["BRIDGEKEEPER_METRICS_ADDRESS"] = env;

        var settings = SettingsLoader.Load(flag is null ? Flags() : Flags(("metrics_address", flag)), environment,
            file is null ? null : Yaml($"metrics_address: \"{file}\"\n"));

        Assert.Equal(expected, settings.MetricsAddress);
    }

    [Fact]
    public void Load_MetricsAndHttpAddressBothPortZero_IsAllowed()
    {
        var settings = SettingsLoader.Load(Flags(("http_address", "127.0.0.1:0"), ("metrics_address", "127.0.0.1:0")), new Hashtable(), null);

        Assert.Equal(("127.0.0.1:0", "127.0.0.1:0"), (settings.HttpAddress, settings.MetricsAddress));
    }

    [Theory]
    [InlineData(null, null, null, 60)]
    [InlineData("5", null, null, 5)]
    [InlineData(null, "7", null, 7)]
    [InlineData(null, null, "9", 9)]
    [InlineData("0", "7", "9", 0)]
    public void Load_AuthFailureLimit_FlagThenEnvironmentThenFileThenSixty(string? flag, string? env, string? file, int expected)
    {
        var environment = new Hashtable();
        if (env is not null)
            environment["BRIDGEKEEPER_AUTH_FAILURE_LIMIT"] = env;

        var settings = SettingsLoader.Load(flag is null ? Flags() : Flags(("auth_failure_limit", flag)), environment,
            file is null ? null : Yaml($"auth_failure_limit: {file}\n"));

        Assert.Equal(expected, settings.AuthFailureLimit);
    }

    [Theory]
    [InlineData("[::1]:8080")]
    [InlineData("0.0.0.0:0")]
    [InlineData("localhost:8080")]
    [InlineData("*:8080")]
    public void Load_ListenAddressForms_AreAccepted(string address) =>
        Assert.Equal(address, SettingsLoader.Load(Flags(("http_address", address)), new Hashtable(), null).HttpAddress);

    [Theory]
    [InlineData("http_address: [127.0.0.1:8080]\n", "http_address")]
    [InlineData("retention:\n  days: 3\n", "retention")]
    [InlineData("? [a, b]\n: c\n", "config")]
    [InlineData("mcp_servers:\n  - name: x\n    url: http://h/\n    headers:\n      ? [a]\n      : b\n", "mcp_servers[0].headers")]
    [InlineData("mcp_servers:\n  - name: x\n    url: http://u:p@h/\n", "mcp_servers[0].url")]
    [InlineData("mcp_servers:\n  - name: x\n    url: http://h/\n    require_user_token: perhaps\n", "mcp_servers[0].require_user_token")]
    [InlineData("http_address: [unclosed\n", "config")]
    public void Load_YamlOfTheWrongShape_ThrowsNamingTheSetting(string yaml, string named) =>
        Assert.Equal(named, Assert.Throws<SettingsException>(() => SettingsLoader.Load(Flags(), new Hashtable(), Yaml(yaml))).Setting);

    [Fact]
    public void Load_UnknownYamlKey_ThrowsNamingIt()
    {
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(Flags(), new Hashtable(), Yaml("htp_address: x\n")));

        Assert.Equal("htp_address", error.Setting);
    }

    [Fact]
    public void Load_BadProviderType_ThrowsNamingTheVariable()
    {
        var env = new Hashtable { ["BRIDGEKEEPER_PROVIDER_0_TYPE"] = "gemini", ["BRIDGEKEEPER_PROVIDER_0_NAME"] = "g" };

        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(Flags(), env, null));

        Assert.Equal("BRIDGEKEEPER_PROVIDER_0_TYPE", error.Setting);
    }

    [Fact]
    public void Load_CopilotInstances_FromEnvironmentAndFile_NoKeyAndTheCopilotApiByDefault()
    {
        var file = Yaml("providers:\n  - type: copilot\n    name: copilot-business\n    base_url: https://api.business.githubcopilot.com\n");
        var env = new Hashtable { ["BRIDGEKEEPER_PROVIDER_0_TYPE"] = "Copilot", ["BRIDGEKEEPER_PROVIDER_0_NAME"] = "copilot" };

        var settings = SettingsLoader.Load(Flags(), env, file);

        Assert.Equal([("copilot", "copilot", "https://api.individual.githubcopilot.com/"), ("copilot-business", "copilot", "https://api.business.githubcopilot.com/")],
            settings.Providers.Skip(2).Select(p => (p.Name, p.Type, p.BaseUrl.AbsoluteUri)));
        Assert.All(settings.Providers.Skip(2), p => Assert.Empty(p.Keys));
    }

    [Theory]
    [InlineData("KEY", "sk-operator", "BRIDGEKEEPER_PROVIDER_0_KEY")]
    [InlineData("KEYS", "k1,k2", "BRIDGEKEEPER_PROVIDER_0_KEYS")]
    [InlineData("ORGANIZATION", "org-1", "BRIDGEKEEPER_PROVIDER_0_ORGANIZATION")]
    public void Load_CopilotWithAKey_ThrowsNamingTheSettingNotTheKey(string field, string value, string named)
    {
        var env = new Hashtable
        {
            ["BRIDGEKEEPER_PROVIDER_0_TYPE"] = "copilot",
            ["BRIDGEKEEPER_PROVIDER_0_NAME"] = "copilot",
            ["BRIDGEKEEPER_PROVIDER_0_" + field] = value,
        };

        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(Flags(), env, null));

        Assert.Equal(named, error.Setting);
        Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("key: sk-operator", "providers[0]_KEY")]
    [InlineData("keys: [k1, k2]", "providers[0]_KEYS")]
    public void Load_CopilotWithAKeyInTheFile_ThrowsNamingTheSetting(string line, string named)
    {
        var file = Yaml($"providers:\n  - type: copilot\n    name: copilot\n    {line}\n");

        Assert.Equal(named, Assert.Throws<SettingsException>(() => SettingsLoader.Load(Flags(), new Hashtable(), file)).Setting);
    }

    [Fact]
    public void Load_DuplicateProviderName_Throws()
    {
        var env = new Hashtable { ["BRIDGEKEEPER_PROVIDER_0_TYPE"] = "openai", ["BRIDGEKEEPER_PROVIDER_0_NAME"] = "openai" };

        Assert.Equal("providers", Assert.Throws<SettingsException>(() => SettingsLoader.Load(Flags(), env, null)).Setting);
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("15s", 15)]
    [InlineData("10m", 600)]
    [InlineData("24h", 86400)]
    [InlineData("7d", 604800)]
    [InlineData("0", 0)]
    public void Durations_TryParse_KnownUnits(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }
}
