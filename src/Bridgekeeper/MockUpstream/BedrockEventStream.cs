using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// An Anthropic Messages stream as Bedrock frames it: one event-stream message per event, headers
/// <c>:event-type: chunk</c>, <c>:content-type: application/json</c>, <c>:message-type: event</c>, payload
/// <c>{"bytes":"&lt;base64 of the event's JSON&gt;","p":"&lt;padding&gt;"}</c> with padding of varying length; no
/// <c>ping</c>; <c>message_stop</c> carries <c>amazon-bedrock-invocationMetrics</c>. <c>error_mid</c> sends an
/// exception message (<c>:message-type: exception</c>, <c>:exception-type</c>, payload <c>{"message": …}</c>).
/// </summary>
internal sealed class BedrockEventStream(MockCall call, MockUsage usage, string exceptionType, TimeProvider time, long startedAt) : IMessagesStream
{
    public const string MetricsKey = "amazon-bedrock-invocationMetrics";
    public const string BytesKey = "bytes";
    public const string PaddingKey = "p";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static readonly KeyValuePair<string, string>[] ChunkHeaders =
        [new(":event-type", "chunk"), new(":content-type", "application/json"), new(":message-type", "event")];

    private int _events;
    private int? _firstByteLatency;

    public Task EventAsync(string name, JsonNode data)
    {
        var latency = (int)time.GetElapsedTime(startedAt).TotalMilliseconds;
        _firstByteLatency ??= latency;
        if (name == AnthropicMessageEvents.MessageStopEvent && data is JsonObject stop)
            stop[MetricsKey] = new JsonObject
            {
                ["inputTokenCount"] = usage.Input,
                ["outputTokenCount"] = usage.Output,
                ["invocationLatency"] = latency,
                ["firstByteLatency"] = _firstByteLatency,
                ["cacheReadInputTokenCount"] = usage.CacheRead,
                ["cacheWriteInputTokenCount"] = usage.CacheWrite,
            };
        return call.WriteStreamEventAsync(Chunk(data, _events++));
    }

    public Task PingAsync() => Task.CompletedTask;

    public Task ErrorAsync()
    {
        KeyValuePair<string, string>[] headers =
            [new(":exception-type", exceptionType), new(":content-type", "application/json"), new(":message-type", "exception")];
        var payload = new JsonObject { [K.Message] = BedrockStreamExceptions.Messages[exceptionType] };
        return call.WriteStreamEventAsync(EventStream.Encode(headers, MockJson.ToBytes(payload)));
    }

    /// <summary>The frame of one event; the <paramref name="index"/>th event gets padding of a length that varies with it.</summary>
    public static byte[] Chunk(JsonNode data, int index)
    {
        var payload = new JsonObject
        {
            [BytesKey] = Convert.ToBase64String(MockJson.ToBytes(data)),
            [PaddingKey] = Alphabet[..(1 + (index * 7 % Alphabet.Length))],
        };
        return EventStream.Encode(ChunkHeaders, MockJson.ToBytes(payload));
    }
}
