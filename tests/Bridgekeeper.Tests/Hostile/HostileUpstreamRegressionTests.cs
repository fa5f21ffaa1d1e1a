using System.Text;
using System.Text.Json.Nodes;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Providers.OpenAIResponses;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>The smallest inputs of what <see cref="ObserverPropertyTests"/> found, one per fix, so each stays fixed.</summary>
public sealed class HostileUpstreamRegressionTests
{
    private static readonly RequestFacts Facts = new("model", true, "hi", null, ClientWantsUsage: true);

    private static LoopState NewLoop() => new(new HashSet<string> { "get_weather" });

    private static SseEvent Event(string? type, string data)
    {
        var raw = Encoding.UTF8.GetBytes((type is null ? "" : $"event: {type}\n") + $"data: {data}\n\n");
        return new SseEvent(raw, type, Encoding.UTF8.GetBytes(data));
    }

    private static string Text(IEnumerable<ReadOnlyMemory<byte>> frames) => string.Concat(frames.Select(frame => Encoding.UTF8.GetString(frame.Span)));

    [Fact]
    public void AnthropicLoopTurn_TruncatedMessageDelta_HeldAndSentAsItCame()
    {
        var turn = new AnthropicLoopTurn(NewLoop());
        var delta = Event("message_delta", """{"type":"message_delta","usage":{"output_tokens":""");
        var stop = Event("message_stop", """{"type":"message_stop"}""");

        Assert.Equal(TurnAction.Suppress, turn.OnEvent(delta));
        Assert.Equal(TurnAction.Suppress, turn.OnEvent(stop));
        turn.Complete();

        Assert.Equal(Encoding.UTF8.GetString(delta.Raw.Span) + Encoding.UTF8.GetString(stop.Raw.Span), Text(turn.FinalFrames()));
    }

    [Fact]
    public void AnthropicLoopTurn_BodyWithDuplicateKey_ClientGetsUpstreamBytes()
    {
        var turn = new AnthropicLoopTurn(NewLoop());
        var body = """{"id":"msg_1","id":"msg_2","content":[],"stop_reason":"end_turn"}"""u8.ToArray();

        turn.OnBody(body);
        turn.Complete();

        Assert.Equal(body, turn.FinalBody(body).ToArray());
    }

    [Fact]
    public void AnthropicLoopTurn_BodyContentOfOtherKinds_InjectedBlockStillRemoved()
    {
        var loop = NewLoop();
        var turn = new AnthropicLoopTurn(loop);
        var body = """{"id":"msg_1","content":[1,"x",{"type":"tool_use","id":"t1","name":"get_weather","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}}"""u8.ToArray();

        turn.OnBody(body);
        turn.Complete();

        Assert.Equal("""[1,"x"]""", JsonNode.Parse(turn.FinalBody(body).Span)!["content"]!.ToJsonString());
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("\"0\"")]
    [InlineData("null")]
    public void AnthropicToolLoop_ContentEventIndexNotAnInteger_EventLeftOutOfNextRequest(string index)
    {
        var loop = NewLoop();
        var turn = new AnthropicLoopTurn(loop);
        turn.OnEvent(Event("content_block_start", $$$"""{"type":"content_block_start","index":{{{index}}},"content_block":{"type":"text","text":""}}"""));
        turn.OnEvent(Event("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"text","text":"kept"}}"""));
        turn.Complete();
        var request = new JsonObject { ["messages"] = new JsonArray() };

        turn.Continue(request, []);

        Assert.Equal("""[{"type":"text","text":"kept"}]""", request["messages"]![0]!["content"]!.ToJsonString());
    }

    [Fact]
    public void OpenAIChatLoopTurn_ChunkWithLoneSurrogate_ForwardedAsItCame()
    {
        var turn = new OpenAIChatLoopTurn(Facts, NewLoop());

        var relay = turn.OnEvent(Event(null, """{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"\ud800"}}]}"""));

        Assert.Equal(TurnAction.Forward, relay);
    }

    [Fact]
    public void OpenAIResponsesLoopTurn_ItemWithLoneSurrogateName_ForwardedAsItCame()
    {
        var turn = new OpenAIResponsesLoopTurn(NewLoop());

        var relay = turn.OnEvent(Event("response.output_item.done",
            """{"type":"response.output_item.done","sequence_number":0,"output_index":0,"item":{"type":"function_call","name":"\ud800","call_id":"c"}}"""));

        Assert.Equal(TurnAction.Forward, relay);
    }

    [Theory]
    [InlineData("""{"sequence_number":1,"ty""")]
    [InlineData("""{"type":"\udc00"}""")]
    public void OpenAIResponsesLoopTurn_UnreadableTypeWithoutEventLine_ForwardedAsItCame(string data)
    {
        var turn = new OpenAIResponsesLoopTurn(NewLoop());

        Assert.Equal(TurnAction.Forward, turn.OnEvent(Event(null, data)));
    }

    [Fact]
    public void LoopWire_TryFindNumber_UndecodableNameFirst_NotFound() =>
        Assert.False(LoopWire.TryFindNumber("""{"\ud800":1,"index":2}"""u8, "index"u8, out _, out _, out _));

    [Fact]
    public void ResponsesEventFields_UndecodableItemId_KeepsWhatCameBefore()
    {
        var fields = ResponsesEventFields.Read("""{"sequence_number":3,"item_id":"\ud800"}"""u8, readItemId: true);

        Assert.Equal((true, 3L, (string?)null), (fields.Sequence.Found, fields.Sequence.Value, fields.ItemId));
    }

    [Fact]
    public void AnthropicObserver_NegativeTokenFigures_ReadAsAbsent()
    {
        var observer = new AnthropicMessagesObserver();

        observer.OnEvent(Event("message_start", """{"type":"message_start","message":{"id":"m","usage":{"input_tokens":12,"cache_read_input_tokens":-7,"output_tokens":1}}}"""));
        observer.OnEvent(Event("message_delta", """{"type":"message_delta","usage":{"input_tokens":-1,"output_tokens":-5}}"""));

        Assert.Equal(new TokenUsage(12, 1, 0, 0, 0), observer.Complete().Usage);
    }

    [Fact]
    public void AnthropicObserver_BodyWithNegativeTokenFigures_ReadAsAbsent()
    {
        var observer = new AnthropicMessagesObserver();

        observer.OnBody("""{"id":"m","usage":{"input_tokens":-3,"output_tokens":7,"cache_creation_input_tokens":-9223372036854775808}}"""u8);

        Assert.Equal(new TokenUsage(0, 7, 0, 0, 0), observer.Complete().Usage);
    }
}
