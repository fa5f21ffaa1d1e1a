using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers.Upstreams.Bedrock;

/// <summary>
/// Bedrock's answers in Anthropic's wire format. An event-stream <c>chunk</c> carries one Anthropic stream event as
/// base64 (<c>{"bytes": …, "p": padding}</c>): it becomes that event's SSE frame, <c>event: {type}</c> and its JSON as
/// <c>data</c>; <c>message_start</c> is followed by the <c>ping</c> the Anthropic API sends there; the last event's
/// <c>amazon-bedrock-invocationMetrics</c> (the usage again) is removed, so nothing is counted twice and the client
/// gets the stream the Anthropic API sends. An <c>exception</c> frame becomes an Anthropic <c>error</c> event, and an
/// error response (<c>{"message"}</c> with <c>x-amzn-ErrorType</c>) Anthropic's error body with the same status.
/// </summary>
internal static class BedrockEvents
{
    private const string MetricsMember = "amazon-bedrock-invocationMetrics";
    private static readonly byte[] Ping = "event: ping\ndata: {\"type\": \"ping\"}\n\n"u8.ToArray();

    public static IEnumerable<SseEvent> ToAnthropic(EventStreamMessage message, IApiDialect anthropic)
    {
        var kind = message.Headers.GetValueOrDefault(":message-type");
        if (kind == "exception" || kind == "error")
        {
            var type = message.Headers.GetValueOrDefault(":exception-type") ?? message.Headers.GetValueOrDefault(":error-code") ?? "internalServerException";
            var frame = anthropic.StreamErrorFrame(new GatewayError(StatusOf(type), "api_error", $"{type}: {MessageOf(message.Payload.Span) ?? "the model stream failed"}"));
            yield return Frame(frame, "error");
            yield break;
        }
        if (kind != "event" || message.Headers.GetValueOrDefault(":event-type") != "chunk" || Chunk(message.Payload) is not var (data, eventType))
            yield break;   // other events (an initial response, unknown kinds) carry no Anthropic event
        yield return Frame([.. "event: "u8, .. Encoding.UTF8.GetBytes(eventType), .. "\ndata: "u8, .. data, .. "\n\n"u8], eventType);
        if (eventType == "message_start")
            yield return Frame(Ping, "ping");
    }

    /// <summary>An SSE frame with its type and the bytes of its <c>data</c> line.</summary>
    private static SseEvent Frame(byte[] raw, string eventType)
    {
        var start = Array.IndexOf(raw, (byte)'\n') + "\ndata: ".Length;
        var data = raw.AsMemory(start, raw.Length - start - 2);
        return new SseEvent(raw, eventType, data);
    }

    /// <summary>The Anthropic event inside a chunk's payload, without Bedrock's invocation metrics, and its type; null when unreadable.</summary>
    private static (byte[] Data, string Type)? Chunk(ReadOnlyMemory<byte> payload)
    {
        byte[] data;
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (!document.RootElement.TryGetProperty("bytes", out var bytes) || bytes.ValueKind != JsonValueKind.String)
                return null;
            data = bytes.GetBytesFromBase64();
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
        if (UpstreamJson.Parse(data) is not JsonObject e || Json.String(e["type"]) is not { } type)
            return null;
        return e.Remove(MetricsMember) ? (LoopWire.Serialize(e), type) : (data, type);
    }

    /// <summary>Anthropic's error body for a Bedrock error response, keeping AWS's message.</summary>
    public static byte[] ErrorBody(int status, string? errorType, byte[] body, IApiDialect anthropic)
    {
        var type = errorType?.Split(':')[0];
        var message = MessageOf(body) ?? (body.Length > 0 ? Encoding.UTF8.GetString(body) : "Bedrock answered without a message.");
        return anthropic.ErrorBody(new GatewayError(status, "api_error", type is { Length: > 0 } ? $"{type}: {message}" : message));
    }

    private static string? MessageOf(ReadOnlySpan<byte> payload) =>
        UpstreamJson.Parse(payload) is JsonObject error ? Json.String(error["message"]) ?? Json.String(error["Message"]) : null;

    /// <summary>The HTTP status a mid-stream exception stands for (its error type in Anthropic's table follows from it).</summary>
    private static int StatusOf(string exceptionType) => exceptionType switch
    {
        "throttlingException" => 429,
        "validationException" => 400,
        "serviceUnavailableException" => 503,
        "modelTimeoutException" => 504,
        _ => 500,
    };
}
