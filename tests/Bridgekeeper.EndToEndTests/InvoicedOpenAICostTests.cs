#pragma warning disable OPENAI001 // the SDK marks its Responses client as for evaluation; it is the client Codex's API is used through

using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Pricing;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Responses;
using static Bridgekeeper.EndToEndTests.Infrastructure.Prometheus;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// Cost as OpenAI invoices it (issue 17), through the official OpenAI .NET SDK, blocking and streaming: Responses web
/// search calls billed per call at the shipped price (@pydantic/genai-prices 0.1.8: $10 per 1,000), service tiers priced
/// at the operator's tier prices where given (the source prices none) and recorded in the row's <c>extra</c>, and an
/// unpriced model counted on <c>/metrics</c> by provider.
/// </summary>
public sealed class InvoicedOpenAICostTests : GatewayTest
{
    // gpt-5.4 on flex at half its standard price; no priority price, so priority is billed at the standard one.
    private static readonly ModelPrice Gpt54 = ModelPrice.PerMillionTokens(input: 2.5m, output: 15, cacheRead: 0.25m) with
    {
        ServiceTiers = new Dictionary<string, ModelPrice> { ["flex"] = ModelPrice.PerMillionTokens(input: 1.25m, output: 7.5m, cacheRead: 0.125m) },
    };

    private protected override GatewaySettings Configure(GatewaySettings settings) =>
        settings with { Prices = new Dictionary<string, ModelPrice> { ["gpt-5.4"] = Gpt54 } };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResponsesWebSearchCalls_AreBilledPerCall(bool stream)
    {
        var ct = TestContext.Current.CancellationToken;
        var prompt = $"Search the weather (stream {stream})";
        var client = new ResponsesClient(new ApiKeyCredential(await Gateway.CreateKeyAsync("omar")), Options<ResponsesClientOptions>(
            ("x-mock-scenario", "web_search"), ("x-mock-usage", "input=1000,output=100,web_searches=2")));
        var options = new CreateResponseOptions("gpt-5", [ResponseItem.CreateUserMessageItem(prompt)]) { Tools = { ResponseTool.CreateWebSearchTool() } };

        ResponseResult response;
        if (stream)
        {
            ResponseResult? completed = null;
            options.StreamingEnabled = true;
            await foreach (var update in await client.CreateResponseStreamingAsync(options, ct))
                completed = (update as StreamingResponseCompletedUpdate)?.Response ?? completed;
            response = Assert.IsType<ResponseResult>(completed);
        }
        else
        {
            response = await client.CreateResponseAsync(options, ct);
        }

        Assert.Equal(2, response.OutputItems.OfType<WebSearchCallResponseItem>().Count());
        var record = await WaitForAsync(prompt);
        // 1000 × $1.25 + 100 × $10 per million + 2 calls × $10 per 1,000 = 0.00225 + 0.02
        Assert.Equal(0.02225m, record.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(2, Row(record).GetProperty("web_search_requests").GetInt64());
    }

    [Theory]
    [InlineData(false, "flex", "0.001125", "flex")]
    [InlineData(true, "flex", "0.001125", "flex")]
    [InlineData(false, "priority", "0.00225", "standard")]
    [InlineData(true, "priority", "0.00225", "standard")]
    public async Task ChatServiceTier_IsPricedAtTheTiersPrice_WhereKnown_AndRecordedInExtra(bool stream, string tier, string cost, string pricedAs)
    {
        // Standard: 500 × $2.50 + 1000 × $0.25 + 50 × $15 per million = 0.00225; flex, half of each: 0.001125.
        var ct = TestContext.Current.CancellationToken;
        var prompt = $"Cheap or fast ({tier}, stream {stream})";
        var chat = new ChatClient("gpt-5.4", new ApiKeyCredential(await Gateway.CreateKeyAsync("omar")),
            Options<OpenAIClientOptions>(("x-mock-usage", "input=500,output=50,cache_read=1000")));
        var options = new ChatCompletionOptions { ServiceTier = new ChatServiceTier(tier) };

        ChatServiceTier? served;
        if (stream)
        {
            served = null;
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(prompt)], options, ct))
                served ??= update.ServiceTier;
        }
        else
        {
            served = (await chat.CompleteChatAsync([new UserChatMessage(prompt)], options, ct)).Value.ServiceTier;
        }

        Assert.Equal(tier, served?.ToString());
        var record = await WaitForAsync(prompt);
        Assert.Equal(decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture), record.GetProperty("cost_usd").GetDecimal());
        Assert.Equal($$"""{"service_tier":"{{tier}}","priced_as":"{{pricedAs}}"}""", Row(record).GetProperty("extra").GetRawText());
    }

    [Fact]
    public async Task StandardTier_LeavesExtraEmpty_AndAnUnpricedModelIsCountedOnMetricsByProvider()
    {
        var ct = TestContext.Current.CancellationToken;
        var chat = new ChatClient("my-local-model", new ApiKeyCredential(await Gateway.CreateKeyAsync("omar")), Options<OpenAIClientOptions>());

        await chat.CompleteChatAsync([new UserChatMessage("Who prices me?")], cancellationToken: ct);

        var record = await WaitForAsync("Who prices me?");
        Assert.Equal(JsonValueKind.Null, record.GetProperty("cost_usd").ValueKind);
        Assert.Equal("{}", Row(record).GetProperty("extra").GetRawText());
        var text = await Gateway.CreateClient(null).GetStringAsync("/metrics", ct);    // this test's own gateway: it counted this request alone
        Assert.Equal(1, Value(text, "bridgekeeper_unpriced_usages_total", "provider=\"openai\""));
        // Labelled by provider alone: the unknown model's name (unbounded) is not on it.
        Assert.All(Samples(text, "bridgekeeper_unpriced_usages_total"), s => Assert.DoesNotContain("model=", s.Labels, StringComparison.Ordinal));
    }

    /// <summary>SDK options for the gateway's OpenAI route, no retries, with headers for the mock upstream on every request.</summary>
    private T Options<T>(params (string Name, string Value)[] headers) where T : ClientPipelineOptions, new()
    {
        var options = new T { RetryPolicy = new ClientRetryPolicy(0) };
        var endpoint = new Uri(Gateway.Url, "openai/v1");
        if (options is OpenAIClientOptions openai)
            openai.Endpoint = endpoint;
        else if (options is ResponsesClientOptions responses)
            responses.Endpoint = endpoint;
        foreach (var (name, value) in headers)
            options.AddPolicy(new HeaderPolicy(name, value), PipelinePosition.PerCall);
        return options;
    }

    private sealed class HeaderPolicy(string name, string value) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(name, value);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(name, value);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }

    private Task<JsonElement> WaitForAsync(string prompt) =>
        Gateway.WaitForEndedAsync(i => i.GetProperty("prompts").EnumerateArray().Any(p => p.GetProperty("prompt").GetString() == prompt));

    private static JsonElement Row(JsonElement record) => Assert.Single(record.GetProperty("token_usages").EnumerateArray());
}
