using System.Collections;
using Bridgekeeper.Hosting;
using Bridgekeeper.Providers;
using Bridgekeeper.Settings;

namespace Bridgekeeper.Tests.Hosting;

/// <summary>Bedrock instances from settings (SPEC §2): the default one, numbered ones and YAML ones, and one-line errors naming the setting.</summary>
public sealed class BedrockSettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bk-bedrock-settings-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly Dictionary<string, string?> NoFlags = [];

    private string Yaml(string text)
    {
        var path = Path.Combine(_folder, "bridgekeeper.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void NoBedrockSetting_NoBedrockProvider() =>
        Assert.DoesNotContain(SettingsLoader.Load(NoFlags, new Hashtable(), null).Providers, p => p.Type == ProviderTypes.Bedrock);

    [Fact]
    public void DefaultInstance_FromTheEnvironment_RegionalUrlStaticKeysAndModels()
    {
        var env = new Hashtable
        {
            ["BRIDGEKEEPER_BEDROCK_REGION"] = "eu-central-1",
            ["BRIDGEKEEPER_BEDROCK_ACCESS_KEY"] = "AKIAEXAMPLE",
            ["BRIDGEKEEPER_BEDROCK_ACCESS_KEY_SECRET"] = "secret",
            ["BRIDGEKEEPER_BEDROCK_MODEL"] = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
            ["BRIDGEKEEPER_BEDROCK_SMALL_FAST_MODEL"] = "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
            ["BRIDGEKEEPER_BEDROCK_MODELS"] = "claude-opus-4-5=global.anthropic.claude-opus-4-5-20251101-v1:0, big=arn:aws:bedrock:eu-central-1:1:x/y",
        };

        var bedrock = Assert.Single(SettingsLoader.Load(NoFlags, env, null).Providers, p => p.Type == ProviderTypes.Bedrock);

        Assert.Equal(("bedrock", "https://bedrock-runtime.eu-central-1.amazonaws.com/"), (bedrock.Name, bedrock.BaseUrl.AbsoluteUri));
        Assert.Equal(("eu-central-1", "AKIAEXAMPLE", "secret", (string?)null), (bedrock.Bedrock!.Region, bedrock.Bedrock.AccessKeyId, bedrock.Bedrock.SecretAccessKey, bedrock.Bedrock.SessionToken));
        Assert.Equal("eu.anthropic.claude-haiku-4-5-20251001-v1:0", bedrock.Bedrock.SmallFastModel);
        Assert.Equal(new Dictionary<string, string>
        {
            ["claude-opus-4-5"] = "global.anthropic.claude-opus-4-5-20251101-v1:0",
            ["big"] = "arn:aws:bedrock:eu-central-1:1:x/y",
        }, bedrock.Bedrock.Models);
    }

    [Fact]
    public void NumberedAndYamlInstances_EachWithTheirOwnRegionAndNoKeysMeansTheDefaultChain()
    {
        var env = new Hashtable
        {
            ["BRIDGEKEEPER_PROVIDER_0_TYPE"] = "bedrock",
            ["BRIDGEKEEPER_PROVIDER_0_NAME"] = "bedrock-us",
            ["BRIDGEKEEPER_PROVIDER_0_REGION"] = "us-west-2",
            ["BRIDGEKEEPER_PROVIDER_0_BASE_URL"] = "http://127.0.0.1:4566/bedrock",
        };
        var file = Yaml("""
            providers:
              - type: bedrock
                name: bedrock-eu
                region: eu-west-3
                model: eu.anthropic.claude-sonnet-4-5-20250929-v1:0
                models:
                  claude-haiku-4-5: eu.anthropic.claude-haiku-4-5-20251001-v1:0
            """);

        var providers = SettingsLoader.Load(NoFlags, env, file).Providers.Where(p => p.Type == ProviderTypes.Bedrock).ToList();

        Assert.Equal(["bedrock-us", "bedrock-eu"], providers.Select(p => p.Name));
        Assert.Equal("http://127.0.0.1:4566/bedrock", providers[0].BaseUrl.AbsoluteUri);
        Assert.Equal(("us-west-2", false), (providers[0].Bedrock!.Region, providers[0].Bedrock!.HasStaticCredentials));
        Assert.Equal("eu.anthropic.claude-haiku-4-5-20251001-v1:0", providers[1].Bedrock!.Models["claude-haiku-4-5"]);
    }

    [Theory]
    [InlineData("BRIDGEKEEPER_BEDROCK_MODEL", "m", "bedrock_region")]
    [InlineData("BRIDGEKEEPER_BEDROCK_REGION", "Europe", "bedrock_region")]
    [InlineData("BRIDGEKEEPER_BEDROCK_ACCESS_KEY", "AKIA", "bedrock_access_key_secret")]
    [InlineData("BRIDGEKEEPER_BEDROCK_BASE_URL", "ftp://x", "bedrock_base_url")]
    public void DefaultInstance_BadValue_OneErrorNamingTheSetting(string variable, string value, string setting)
    {
        var env = new Hashtable { [variable] = value };
        if (variable != "BRIDGEKEEPER_BEDROCK_REGION" && setting != "bedrock_region")
            env["BRIDGEKEEPER_BEDROCK_REGION"] = "us-east-1";

        Assert.Equal(setting, Assert.Throws<SettingsException>(() => SettingsLoader.Load(NoFlags, env, null)).Setting);
    }

    [Theory]
    [InlineData("Bedrock_EU", "BRIDGEKEEPER_PROVIDER_0_NAME")]
    [InlineData("bedrock", "providers")]
    public void NumberedInstance_BadOrTakenName_IsRefused(string name, string setting)
    {
        var env = new Hashtable
        {
            ["BRIDGEKEEPER_BEDROCK_REGION"] = "us-east-1",
            ["BRIDGEKEEPER_PROVIDER_0_TYPE"] = "bedrock",
            ["BRIDGEKEEPER_PROVIDER_0_NAME"] = name,
            ["BRIDGEKEEPER_PROVIDER_0_REGION"] = "us-east-1",
        };

        Assert.Equal(setting, Assert.Throws<SettingsException>(() => SettingsLoader.Load(NoFlags, env, null)).Setting);
    }
}
