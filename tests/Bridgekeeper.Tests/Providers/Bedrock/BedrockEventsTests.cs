using System.Text;
using Bridgekeeper.Providers.AnthropicMessages;
using Bridgekeeper.Providers.Upstreams.Bedrock;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Tests.Providers.Bedrock;

/// <summary>
/// Bedrock's event-stream messages become the Anthropic SSE events inside them: byte for byte the event's JSON, a
/// <c>ping</c> after <c>message_start</c> as the Anthropic API sends, the invocation metrics (the usage again) removed,
/// and an exception frame as Anthropic's <c>error</c> event.
/// </summary>
public sealed class BedrockEventsTests
{
    private static readonly AnthropicMessagesDialect Anthropic = new();

    private static EventStreamMessage Chunk(string anthropicEvent, string padding = "abcdefghij") =>
        new(new Dictionary<string, string> { [":event-type"] = "chunk", [":content-type"] = "application/json", [":message-type"] = "event" },
            Encoding.UTF8.GetBytes($$"""{"bytes":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes(anthropicEvent))}}","p":"{{padding}}"}"""));

    private static string Relayed(EventStreamMessage message) =>
        string.Concat(BedrockEvents.ToAnthropic(message, Anthropic).Select(e => Encoding.UTF8.GetString(e.Raw.Span)));

    [Fact]
    public void Chunk_IsTheEventsOwnJsonAsAnSseFrame()
    {
        const string delta = """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi \u00e9"}}""";

        var events = BedrockEvents.ToAnthropic(Chunk(delta), Anthropic).ToList();

        var only = Assert.Single(events);
        Assert.Equal("content_block_delta", only.EventType);
        Assert.Equal($"event: content_block_delta\ndata: {delta}\n\n", Encoding.UTF8.GetString(only.Raw.Span));
        Assert.Equal(delta, Encoding.UTF8.GetString(only.Data.Span));
    }

    [Fact]
    public void MessageStart_IsFollowedByThePingTheAnthropicApiSends()
    {
        const string start = """{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":12,"output_tokens":1}}}""";

        Assert.Equal($"event: message_start\ndata: {start}\n\nevent: ping\ndata: {{\"type\": \"ping\"}}\n\n", Relayed(Chunk(start)));
    }

    [Fact]
    public void MessageStop_LosesTheInvocationMetrics_SoUsageIsNeverCountedTwice()
    {
        const string stop = """{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":12,"outputTokenCount":5,"invocationLatency":300,"firstByteLatency":100}}""";

        Assert.Equal("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", Relayed(Chunk(stop)));
    }

    [Theory]
    [InlineData("throttlingException", "rate_limit_error")]
    [InlineData("modelStreamErrorException", "api_error")]
    [InlineData("serviceUnavailableException", "overloaded_error")]
    [InlineData("validationException", "invalid_request_error")]
    public void ExceptionFrame_IsAnAnthropicErrorEventKeepingAwssMessage(string exception, string errorType)
    {
        var message = new EventStreamMessage(
            new Dictionary<string, string> { [":message-type"] = "exception", [":exception-type"] = exception, [":content-type"] = "application/json" },
            """{"message":"The model stopped."}"""u8.ToArray());

        var error = Assert.Single(BedrockEvents.ToAnthropic(message, Anthropic));

        Assert.Equal("error", error.EventType);
        Assert.Equal("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"" + errorType + "\",\"message\":\"" + exception + ": The model stopped.\"}}\n\n",
            Encoding.UTF8.GetString(error.Raw.Span));
    }

    [Fact]
    public void OtherMessages_CarryNoEvent() =>
        Assert.Empty(BedrockEvents.ToAnthropic(new EventStreamMessage(new Dictionary<string, string> { [":message-type"] = "event", [":event-type"] = "initial-response" },
            "{}"u8.ToArray()), Anthropic));

    [Fact]
    public void ErrorResponse_InAnthropicsShapeWithTheSameStatusAndAwssMessage()
    {
        var body = BedrockEvents.ErrorBody(403, "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/",
            """{"message":"The security token included in the request is invalid."}"""u8.ToArray(), Anthropic);

        Assert.Equal("""{"type":"error","error":{"type":"permission_error","message":"UnrecognizedClientException: The security token included in the request is invalid."}}""",
            Encoding.UTF8.GetString(body));
    }

    [Fact]
    public async Task TheWholeStream_ThroughTheCodec_IsTheAnthropicStream()
    {
        string[] events =
        [
            """{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}""",
            """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}""",
            """{"type":"content_block_stop","index":0}""",
            """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}""",
            """{"type":"message_stop"}""",
        ];
        using var wire = new MemoryStream([.. events.SelectMany((e, i) => EventStream.Encode(Chunk(e, new string('x', i * 7)).Headers, Chunk(e, new string('x', i * 7)).Payload.Span))]);

        var relayed = new StringBuilder();
        await foreach (var message in EventStream.ReadAsync(wire, TestContext.Current.CancellationToken))
            relayed.Append(Relayed(message));

        var expected = string.Concat(events.Select(e => $"event: {System.Text.Json.JsonDocument.Parse(e).RootElement.GetProperty("type").GetString()}\ndata: {e}\n\n"))
            .Replace("\n\nevent: content_block_start", "\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\nevent: content_block_start", StringComparison.Ordinal);
        Assert.Equal(expected, relayed.ToString());
    }
}
