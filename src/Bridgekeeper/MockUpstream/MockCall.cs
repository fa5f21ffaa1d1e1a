using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// One request being answered: its body, and the only way the mock writes a response, so that every byte
/// sent is also captured (when capturing) and every stream event is flushed on its own.
/// </summary>
internal sealed class MockCall(HttpContext http, byte[] body, MockExchange? exchange, MockUpstreamOptions options, CancellationToken stopping)
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventPrefix = "event: "u8.ToArray();
    private int _events;

    public HttpContext Http => http;
    public byte[] Body => body;
    public MockUpstreamOptions Options => options;
    public CancellationToken Aborted => http.RequestAborted;

    /// <summary>Set once the headers are read; frames use it for line endings and pacing.</summary>
    public MockControls? Controls { get; set; }

    /// <summary>
    /// A JSON body. <paramref name="truncated"/> (the <c>cut</c> scenario) sends only its first half, with no
    /// <c>Content-Length</c>, so the body just ends early. <paramref name="dropped"/> (the <c>drop</c> scenario) declares
    /// the whole length, sends the first half and then drops the connection.
    /// </summary>
    public async Task WriteJsonAsync(int status, JsonNode body, IEnumerable<KeyValuePair<string, string>>? headers = null, bool truncated = false,
        bool dropped = false)
    {
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        foreach (var (name, value) in headers ?? [])
            response.Headers[name] = value;
        var bytes = MockJson.ToBytes(body);
        if (!truncated)
            response.ContentLength = bytes.Length;
        if (truncated || dropped)
            bytes = bytes[..(bytes.Length / 2)];
        exchange?.SetStatus(status);
        await response.Body.WriteAsync(bytes, Aborted);
        exchange?.Append(bytes);
        if (dropped)
            await DropAsync();
    }

    /// <summary>
    /// Sends what was written so far, then drops the connection in the middle of the response. Kestrel discards output
    /// its socket has not sent yet when a connection is aborted, so the mock gives the bytes a moment to leave first,
    /// as a real connection that dies after them would.
    /// </summary>
    public async Task DropAsync()
    {
        await http.Response.Body.FlushAsync(Aborted);
        await DelayAsync(DropGrace);
        http.Abort();
    }

    private static readonly TimeSpan DropGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>200 with event-stream headers, unbuffered. Nothing is sent until the first event (or <see cref="FlushAsync"/>).</summary>
    public void StartStream(string requestIdHeader, string requestId)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers[requestIdHeader] = requestId;
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        exchange?.SetStatus(StatusCodes.Status200OK);
    }

    /// <summary>Sends 200 and JSON headers now, with no body yet (a blocking reply that hangs).</summary>
    public Task StartBlockingAsync()
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        exchange?.SetStatus(StatusCodes.Status200OK);
        return http.Response.StartAsync(Aborted);
    }

    /// <summary>
    /// A blocking reply's 200 body with its request id: half of it for <c>cut</c>, half and then a dropped connection
    /// for <c>drop</c>.
    /// </summary>
    public Task WriteReplyAsync(MockScenario scenario, JsonNode body, string requestIdHeader, string requestId) =>
        WriteJsonAsync(StatusCodes.Status200OK, body, [new(requestIdHeader, requestId)],
            truncated: scenario is MockScenario.Cut, dropped: scenario is MockScenario.Drop);

    /// <summary>For a blocking reply's <c>hang</c>: sends 200 and JSON headers, then hangs, and says true; false for any other scenario.</summary>
    public async Task<bool> HungBlockingAsync(MockScenario scenario)
    {
        if (scenario is not MockScenario.Hang)
            return false;
        await StartBlockingAsync();
        await HangAsync();
        return true;
    }

    /// <summary>
    /// For <c>error_mid</c>, <c>hang</c>, <c>cut</c> and <c>drop</c>, at the point of a stream where they strike: true
    /// when the stream must end here. <paramref name="errorMidAsync"/> sends the API's own in-stream error.
    /// </summary>
    public async Task<bool> InterruptedAsync(MockScenario scenario, Func<Task> errorMidAsync)
    {
        switch (scenario)
        {
            case MockScenario.ErrorMid:
                await errorMidAsync();
                return true;
            case MockScenario.Hang:
                await HangAsync();
                return true;
            case MockScenario.Cut:
                return true;
            case MockScenario.Drop:
                await DropAsync();
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Waits until the client goes away (throws <see cref="OperationCanceledException"/>, recorded as aborted)
    /// or the server stops (returns, and the response just ends).
    /// </summary>
    public async Task HangAsync()
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(Aborted, stopping);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, linked.Token);
        }
        catch (OperationCanceledException) when (!Aborted.IsCancellationRequested)
        {
            // The server is stopping: end the response instead of holding shutdown up.
        }
    }

    /// <summary>One frame, <c>event: NAME</c> (when named) and <c>data: JSON</c>, flushed; waits the chunk delay first, except for the first.</summary>
    public Task WriteEventAsync(string? name, JsonNode data) => WriteFrameAsync(name, MockJson.ToBytes(data));

    /// <summary>One frame whose data is the given text as is (<c>[DONE]</c>, Anthropic's <c>{"type": "ping"}</c>).</summary>
    public Task WriteEventAsync(string? name, string data) => WriteFrameAsync(name, Encoding.UTF8.GetBytes(data));

    public Task DelayAsync(TimeSpan delay) => delay > TimeSpan.Zero ? Task.Delay(delay, Aborted) : Task.CompletedTask;

    /// <summary>
    /// 200 with a binary stream's content type and the given headers, unbuffered (Bedrock's
    /// <c>application/vnd.amazon.eventstream</c>). Nothing is sent until the first <see cref="WriteStreamEventAsync"/>.
    /// </summary>
    public void StartBinaryStream(string contentType, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        foreach (var (name, value) in headers)
            response.Headers[name] = value;
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        exchange?.SetStatus(StatusCodes.Status200OK);
    }

    /// <summary>One already-framed stream event, flushed; waits the chunk delay first, except for the first.</summary>
    public async Task WriteStreamEventAsync(byte[] frame)
    {
        await PaceAsync();
        await WriteFlushedAsync(frame);
    }

    private Task PaceAsync() => _events++ > 0 ? DelayAsync(Controls?.ChunkDelay ?? options.ChunkDelay) : Task.CompletedTask;

    private async Task WriteFlushedAsync(byte[] frame)
    {
        await http.Response.Body.WriteAsync(frame, Aborted);
        await http.Response.Body.FlushAsync(Aborted);
        exchange?.Append(frame);
    }

    private async Task WriteFrameAsync(string? name, byte[] data)
    {
        await PaceAsync();
        var newline = Controls?.Crlf == true ? "\r\n"u8 : "\n"u8;
        var length = DataPrefix.Length + data.Length + 2 * newline.Length
            + (name is null ? 0 : EventPrefix.Length + Encoding.UTF8.GetByteCount(name) + newline.Length);
        var frame = new byte[length];
        var at = 0;
        if (name is not null)
        {
            at += Copy(EventPrefix, frame, at);
            at += Encoding.UTF8.GetBytes(name, frame.AsSpan(at));
            at += Copy(newline, frame, at);
        }
        at += Copy(DataPrefix, frame, at);
        at += Copy(data, frame, at);
        at += Copy(newline, frame, at);
        Copy(newline, frame, at);
        await WriteFlushedAsync(frame);
    }

    private static int Copy(ReadOnlySpan<byte> source, byte[] target, int at)
    {
        source.CopyTo(target.AsSpan(at));
        return source.Length;
    }
}
