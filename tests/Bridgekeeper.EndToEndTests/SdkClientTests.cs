using System.ClientModel;
using System.Text;
using Anthropic;
using Anthropic.Models.Messages;
using Bridgekeeper.EndToEndTests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace Bridgekeeper.EndToEndTests;

/// <summary>The official OpenAI and Anthropic .NET SDKs, from NuGet, talk to the gateway as they would to the providers.</summary>
public sealed class SdkClientTests : GatewayTest
{


    private async Task<ChatClient> OpenAIChatAsync() =>
        new("gpt-4o-mini", new ApiKeyCredential(await Gateway.CreateKeyAsync("sdk-user")),
            new OpenAIClientOptions { Endpoint = new Uri(Gateway.Url, "openai/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

    private async Task<AnthropicClient> AnthropicAsync() =>
        new() { ApiKey = await Gateway.CreateKeyAsync("sdk-user"), BaseUrl = new Uri(Gateway.Url, "anthropic").AbsoluteUri, MaxRetries = 0 };

    [Fact]
    public async Task OpenAISdk_Blocking_GetsCompletionAndIsRecorded()
    {
        var ct = TestContext.Current.CancellationToken;
        var chat = await OpenAIChatAsync();

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Say hello")], cancellationToken: ct);

        Assert.Equal("Hello from the mock upstream.", completion.Content[0].Text);
        Assert.Equal(11, completion.Usage.InputTokenCount);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("Say hello", record.GetProperty("prompts")[0].GetProperty("prompt").GetString());
        Assert.Equal((11, 7, 0, 0, 0), ChatCompletionsTests.Tokens(record.GetProperty("token_usages")[0]));
        Assert.DoesNotContain(Upstream.Exchanges.Single().Headers.Values, v => v.Contains("bk_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenAISdk_Streaming_AssemblesTextAndUsage()
    {
        var ct = TestContext.Current.CancellationToken;
        var chat = await OpenAIChatAsync();
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream please")], new ChatCompletionOptions(), ct))
        {
            foreach (var part in update.ContentUpdate)
                text.Append(part.Text);
            usage ??= update.Usage;
        }

        Assert.Equal("Hello from the mock upstream.", text.ToString());
        Assert.Equal((11, 7), (usage?.InputTokenCount, usage?.OutputTokenCount));
        var record = await Gateway.WaitForEndedAsync();
        Assert.True(record.GetProperty("streaming").GetBoolean());
        Assert.Equal((11, 7, 0, 0, 0), ChatCompletionsTests.Tokens(record.GetProperty("token_usages")[0]));
    }

    [Fact]
    public async Task AnthropicSdk_Blocking_GetsMessageAndIsRecorded()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = await AnthropicAsync();

        var message = await client.Messages.Create(new MessageCreateParams
        {
            MaxTokens = 256,
            Model = "claude-sonnet-4-5",
            Messages = [new UserMessageParam("Hello, Claude")],
        }, ct);

        Assert.Equal(11, message.Usage.InputTokens);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal("Hello, Claude", record.GetProperty("prompts")[0].GetProperty("prompt").GetString());
        Assert.Equal((11, 7, 0, 0, 0), ChatCompletionsTests.Tokens(record.GetProperty("token_usages")[0]));
    }

    [Fact]
    public async Task AnthropicSdk_Streaming_ReceivesEveryEventAndIsRecorded()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = await AnthropicAsync();
        var events = 0;

        await foreach (var _ in client.Messages.CreateStreaming(new MessageCreateParams
        {
            MaxTokens = 256,
            Model = "claude-sonnet-4-5",
            Messages = [new UserMessageParam("Stream, Claude")],
        }, ct))
            events++;

        var upstreamEvents = Wire.Frames(Upstream.Exchanges.Single().ResponseBody).Count(f => f.StartsWith("event: ", StringComparison.Ordinal));
        Assert.True(events >= upstreamEvents - 1, $"SDK saw {events} events, upstream sent {upstreamEvents}");
        var record = await Gateway.WaitForEndedAsync();
        Assert.True(record.GetProperty("streaming").GetBoolean());
        Assert.Equal((11, 7, 0, 0, 0), ChatCompletionsTests.Tokens(record.GetProperty("token_usages")[0]));
    }
}
