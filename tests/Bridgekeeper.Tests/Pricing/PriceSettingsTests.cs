using System.Collections;
using Bridgekeeper.Hosting;
using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;
using Bridgekeeper.Settings;

namespace Bridgekeeper.Tests.Pricing;

/// <summary>Operator prices: the YAML map <c>prices</c> and the file <c>prices_file</c> (<c>BRIDGEKEEPER_PRICES_FILE</c>).</summary>
public sealed class PriceSettingsTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("bk-prices-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string File(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static GatewaySettings Load(string? config, Hashtable? environment = null) =>
        SettingsLoader.Load(new Dictionary<string, string?>(), environment ?? new Hashtable(), config);

    [Fact]
    public void Load_YamlPricesMap_PricesPerMillionTokensExactly()
    {
        var config = File("config.yaml", """
            prices:
              my-model:
                input: 3
                output: 15
                cache_read: 0.3
                cache_write: 3.75
              gpt-4o:
                input: 1.1
                output: 4.4
            """);

        var settings = Load(config);
        var calculator = new CostCalculator(settings.Prices);

        // 1000 × 0.000003 + 2000 × 0.0000003 + 100 × 0.00000375 + 500 × 0.000015
        Assert.Equal(0.011475m, calculator.CostUsd("my-model", new TokenUsage(1000, 500, 2000, 100, 0), At));
        // Dated id of an overridden model: 1000 × 0.0000011 + 1000 × 0.0000044
        Assert.Equal(0.0055m, calculator.CostUsd("gpt-4o-2024-08-06", new TokenUsage(1000, 1000, 0, 0, 0), At));
    }

    [Fact]
    public void Load_PricesFileFromEnvironment_JsonWinsOverYamlMapForTheSameModel()
    {
        var config = File("config.yaml", "prices:\n  my-model: {input: 3, output: 15}\n  other: {input: 1, output: 1}\n");
        var json = File("prices.json", """{"my-model": {"input": 2, "output": 8}}""");

        var settings = Load(config, new Hashtable { ["BRIDGEKEEPER_PRICES_FILE"] = json });
        var calculator = new CostCalculator(settings.Prices);

        Assert.Equal(0.01m, calculator.CostUsd("my-model", new TokenUsage(1000, 1000, 0, 0, 0), At));
        Assert.Equal(0.002m, calculator.CostUsd("other", new TokenUsage(1000, 1000, 0, 0, 0), At));
    }

    [Fact]
    public void Load_PricesFileYamlUnderPricesKey_IsRead()
    {
        var yaml = File("prices.yaml", "prices:\n  claude-sonnet-5:\n    input: 3\n    output: 15\n");

        var settings = Load(File("config.yaml", $"prices_file: {yaml}\n"));

        Assert.Equal(0.018m, new CostCalculator(settings.Prices).CostUsd("claude-sonnet-5", new TokenUsage(1000, 1000, 0, 0, 0), At));
    }

    [Fact]
    public void Load_ServiceTiers_PriceUsageServedOnThatTier_OthersAtTheStandardPrice()
    {
        var config = File("config.yaml", """
            prices:
              gpt-5:
                input: 1.25
                output: 10
                cache_read: 0.125
                service_tiers:
                  flex: {input: 0.625, output: 5, cache_read: 0.0625}
            """);
        var price = new CostCalculator(Load(config).Prices).Find("gpt-5", At)!;
        var usage = new TokenUsage(1000, 100, 2000, 0, 0);

        // 1000 × 0.00000125 + 2000 × 0.000000125 + 100 × 0.00001; on flex, half of each
        Assert.Equal((0.0025m, 0.00125m, 0.0025m), (price.Cost(usage), price.Cost(usage with { ServiceTier = "flex" }), price.Cost(usage with { ServiceTier = "priority" })));
        Assert.Equal((true, false), (price.PricesTier("flex"), price.PricesTier("priority")));
    }

    [Fact]
    public void Load_NoPrices_ShippedTableOnly()
    {
        Assert.Empty(Load(null).Prices);
    }

    [Theory]
    [InlineData("prices:\n  m: {input: -1, output: 1}\n", "prices.m.input")]
    [InlineData("prices:\n  m: {input: cheap, output: 1}\n", "prices.m.input")]
    [InlineData("prices:\n  m: {input: 1}\n", "prices.m.output")]
    [InlineData("prices:\n  m: {input: 1, output: 1, reasoning: 2}\n", "prices.m.reasoning")]
    [InlineData("prices:\n  m: 5\n", "prices.m")]
    [InlineData("prices:\n  - m\n", "prices")]
    [InlineData("prices_file: /nonexistent/prices.yaml\n", "prices_file")]
    [InlineData("prices:\n  m: {input: 1, output: 1, service_tiers: {batch: {input: 1, output: 1}}}\n", "prices.m.service_tiers.batch")]
    [InlineData("prices:\n  m: {input: 1, output: 1, service_tiers: {flex: {input: 1}}}\n", "prices.m.service_tiers.flex.output")]
    [InlineData("prices:\n  m: {input: 1, output: 1, service_tiers: {flex: {input: 1, output: 1, service_tiers: {}}}}\n", "prices.m.service_tiers.flex.service_tiers")]
    [InlineData("prices:\n  m: {input: 1, output: 1, service_tiers: flex}\n", "prices.m.service_tiers")]
    public void Load_BadPrice_ThrowsNamingTheSetting(string yaml, string setting)
    {
        var error = Assert.Throws<SettingsException>(() => Load(File("config.yaml", yaml)));

        Assert.Equal(setting, error.Setting);
    }

    [Fact]
    public void Load_BadValueInPricesFile_NamesTheFileAndField()
    {
        var json = File("prices.json", """{"m": {"input": "1", "output": "x"}}""");

        var error = Assert.Throws<SettingsException>(() => Load(null, new Hashtable { ["BRIDGEKEEPER_PRICES_FILE"] = json }));

        Assert.Equal($"prices_file ({json}).m.output", error.Setting);
    }
}
