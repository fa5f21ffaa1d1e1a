using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// Cost as the provider invoices it (issue 17), through the official Anthropic .NET SDK, blocking and streaming, on
/// the Anthropic and Bedrock routes: the current Sonnet priced at its permanent rate, and 1-hour cache writes (from
/// Anthropic's <c>cache_creation</c> split) billed at their own price and recorded as <c>cache_write_1h_tokens</c>, and
/// web searches (<c>server_tool_use.web_search_requests</c>) billed per search and recorded as <c>web_search_requests</c>.
/// Each figure is the exact decimal that @pydantic/genai-prices 0.1.8's prices imply.
/// </summary>
public sealed class InvoicedCostTests : GatewayTest
{
    public static TheoryData<string, bool> Routes => new() { { "anthropic", false }, { "anthropic", true }, { "bedrock", false }, { "bedrock", true } };

    // Bedrock is not asked: its instance calls the model its settings map the name to (and is priced as that).
    [Theory]
    [InlineData("anthropic", false)]
    [InlineData("anthropic", true)]
    public async Task ClaudeSonnet5_IsPricedAtTwoAndTenDollars(string provider, bool stream)
    {
        // 1000 × $2 + 2000 × $0.20 (read) + 300 × $2.50 (5-minute write) + 500 × $10 per million = 0.00815
        var record = await SendAsync(provider, stream, "claude-sonnet-5", "input=1000,output=500,cache_read=2000,cache_write=300");

        Assert.Equal(0.00815m, record.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(0, Row(record).GetProperty("cache_write_1h_tokens").GetInt64());
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Sonnet45_OneHourCacheWrites_AreBilledAtTheOneHourPrice(string provider, bool stream)
    {
        // 100 × $3 + 800 × $3.75 (5-minute) + 1200 × $6 (1-hour) + 50 × $15 per million = 0.01125; at the 5-minute price
        // alone it would be 0.00855.
        var record = await SendAsync(provider, stream, "claude-sonnet-4-5", "input=100,output=50,cache_write=2000,cache_write_1h=1200");

        Assert.Equal(0.01125m, record.GetProperty("cost_usd").GetDecimal());
        var row = Row(record);
        Assert.Equal((2000L, 1200L), (row.GetProperty("cache_write_tokens").GetInt64(), row.GetProperty("cache_write_1h_tokens").GetInt64()));
    }

    [Fact]
    public async Task AStreamWithOnlyOneHourWrites_AndAMixedOne_AreEachPricedByTheirSplit()
    {
        // All 1-hour: 10 × $3 + 1000 × $6 + 10 × $15 per million = 0.00618
        var allHour = await SendAsync("anthropic", stream: true, "claude-sonnet-4-5", "input=10,output=10,cache_write=1000,cache_write_1h=1000");
        // Mixed: 10 × $3 + 250 × $3.75 + 750 × $6 + 10 × $15 per million = 0.0056175
        var mixed = await SendAsync("anthropic", stream: true, "claude-sonnet-4-5", "input=10,output=10,cache_write=1000,cache_write_1h=750");

        Assert.Equal((0.00618m, 0.0056175m), (allHour.GetProperty("cost_usd").GetDecimal(), mixed.GetProperty("cost_usd").GetDecimal()));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task WebSearches_AreBilledPerSearch_AndRecordedOnTheUsageRow(string provider, bool stream)
    {
        // 100 × $3 + 50 × $15 per million + 3 searches × $10 per 1,000 = 0.00105 + 0.03
        var record = await SendAsync(provider, stream, "claude-sonnet-4-5", "input=100,output=50,web_searches=3", searched: true);

        Assert.Equal(0.03105m, record.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(3, Row(record).GetProperty("web_search_requests").GetInt64());
        var searches = record.GetProperty("tool_usages").EnumerateArray().ToList();
        Assert.Equal(3, searches.Count);
        Assert.All(searches, s => Assert.Equal(("web_search", """{"query":"weather in Paris"}"""), (s.GetProperty("tool").GetString(), s.GetProperty("input").GetString())));
    }

    private async Task<JsonElement> SendAsync(string provider, bool stream, string model, string usage, bool searched = false)
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("x-mock-usage", usage);          // what the mock upstream reports
        if (searched)
            http.DefaultRequestHeaders.Add("x-mock-scenario", "web_search");
        var client = new AnthropicClient { ApiKey = await Gateway.CreateKeyAsync("ines"), BaseUrl = new Uri(Gateway.Url, provider).AbsoluteUri, MaxRetries = 0,
            HttpClient = http };
        var prompt = $"Hello, Claude ({usage})";                          // finds this request's record
        var message = new MessageCreateParams { MaxTokens = 256, Model = model, Messages = [new UserMessageParam(prompt)] };
        if (stream)
        {
            var events = 0;
            await foreach (var _ in client.Messages.CreateStreaming(message, ct))
                events++;
            Assert.True(events > 2);
        }
        else
        {
            // What the SDK itself parsed off the relayed body: the provider's own figures.
            var figures = usage.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
            var parsed = (await client.Messages.Create(message, ct)).Usage;
            Assert.Equal((figures["input"], figures.GetValueOrDefault("cache_write"), figures.GetValueOrDefault("web_searches")),
                (parsed.InputTokens, parsed.CacheCreationInputTokens ?? 0, parsed.ServerToolUse?.WebSearchRequests ?? 0));
        }
        return await Gateway.WaitForEndedAsync(i => i.GetProperty("prompts").EnumerateArray().Any(p => p.GetProperty("prompt").GetString() == prompt));
    }

    private static JsonElement Row(JsonElement record) => Assert.Single(record.GetProperty("token_usages").EnumerateArray());
}
