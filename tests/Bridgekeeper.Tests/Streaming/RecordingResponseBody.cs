using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Bridgekeeper.Tests.Streaming;

/// <summary>
/// A response body that records what reaches the client: each flush with the bytes written since the previous one and
/// the (fake) time it happened, whether buffering was disabled, and the headers as they were when the response started.
/// </summary>
internal sealed class RecordingResponseBody : PipeWriter, IHttpResponseBodyFeature
{
    private readonly ArrayBufferWriter<byte> _pending = new();
    private readonly List<(string Text, DateTimeOffset At)> _flushes = [];
    private readonly TimeProvider _time;
    private readonly HttpResponse _response;

    private RecordingResponseBody(HttpContext context, TimeProvider time)
    {
        _time = time;
        _response = context.Response;
    }

    /// <summary>A context whose response body is recorded.</summary>
    public static (DefaultHttpContext Context, RecordingResponseBody Body) Create(TimeProvider time)
    {
        var context = new DefaultHttpContext();
        var body = new RecordingResponseBody(context, time);
        context.Features.Set<IHttpResponseBodyFeature>(body);
        return (context, body);
    }

    public int Starts { get; private set; }

    public bool BufferingDisabled { get; private set; }

    /// <summary>The response headers (and content type) at the moment the response started, i.e. what went on the wire.</summary>
    public Dictionary<string, string> HeadersAtStart { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<(string Text, DateTimeOffset At)> Flushes
    {
        get
        {
            lock (_flushes)
                return [.. _flushes];
        }
    }

    Stream IHttpResponseBodyFeature.Stream => throw new NotSupportedException("SseResponse writes through the PipeWriter.");

    PipeWriter IHttpResponseBodyFeature.Writer => this;

    void IHttpResponseBodyFeature.DisableBuffering() => BufferingDisabled = true;

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken)
    {
        Starts++;
        foreach (var (name, value) in _response.Headers)
            HeadersAtStart[name] = value.ToString();
        return Task.CompletedTask;
    }

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    Task IHttpResponseBodyFeature.CompleteAsync() => Task.CompletedTask;

    public override void Advance(int bytes) => _pending.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => _pending.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _pending.GetSpan(sizeHint);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (_flushes)
            _flushes.Add((Encoding.UTF8.GetString(_pending.WrittenSpan), _time.GetUtcNow()));
        _pending.Clear();
        return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: false));
    }

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }
}
