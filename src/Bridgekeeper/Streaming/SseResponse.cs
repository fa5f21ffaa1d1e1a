using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Bridgekeeper.Streaming;

/// <summary>
/// The client side of a relayed stream: commits SSE headers, writes whole frames, and sends a keep-alive frame
/// whenever nothing was written for the keep-alive interval (so load balancers with 60 s idle timeouts do not cut slow
/// first tokens). Frames that arrived in one upstream read may be written without a flush and flushed together
/// (<see cref="FlushAsync"/>, as YARP flushes once per read); past <see cref="MaxUnflushed"/> bytes a write flushes
/// anyway. Writes from the relay and the keep-alive loop are serialized.
/// </summary>
internal sealed class SseResponse : IAsyncDisposable
{
    private readonly HttpResponse _response;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop;
    private readonly Task _keepAlive;
    private long _lastWrite;
    private int _unflushed;

    /// <summary>The most bytes held back for a later flush.</summary>
    public const int MaxUnflushed = 16 * 1024;

    private SseResponse(HttpResponse response, TimeProvider time, ReadOnlyMemory<byte> keepAliveFrame, TimeSpan interval)
    {
        _response = response;
        _time = time;
        _lastWrite = time.GetTimestamp();
        _stop = CancellationTokenSource.CreateLinkedTokenSource(response.HttpContext.RequestAborted);
        _keepAlive = KeepAliveAsync(keepAliveFrame, interval, _stop.Token);
    }

    /// <summary>Commits the response headers (status and headers already set by the caller) and starts keep-alives.</summary>
    public static async Task<SseResponse> StartAsync(HttpResponse response, TimeProvider time, ReadOnlyMemory<byte> keepAliveFrame,
        TimeSpan interval, CancellationToken cancellationToken)
    {
        response.ContentLength = null;
        response.ContentType ??= "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(cancellationToken);
        await response.BodyWriter.FlushAsync(cancellationToken);
        return new SseResponse(response, time, keepAliveFrame, interval);
    }

    /// <summary>Writes one complete frame and flushes it (with anything held back before it).</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) => WriteAsync(frame, flush: true, cancellationToken);

    /// <summary>
    /// Writes one complete frame; with <paramref name="flush"/> false it may be held back for <see cref="FlushAsync"/>
    /// (the caller knows more frames are waiting), unless that would hold more than <see cref="MaxUnflushed"/> bytes.
    /// </summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, bool flush, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _response.BodyWriter.Write(frame.Span);
            _unflushed += frame.Length;
            if (flush || _unflushed >= MaxUnflushed)
                await FlushHeldAsync(cancellationToken);
            Volatile.Write(ref _lastWrite, _time.GetTimestamp());
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Flushes the frames held back, if any.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _unflushed) == 0)
            return;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_unflushed > 0)
                await FlushHeldAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask FlushHeldAsync(CancellationToken cancellationToken)
    {
        _unflushed = 0;
        await _response.BodyWriter.FlushAsync(cancellationToken);
    }

    private async Task KeepAliveAsync(ReadOnlyMemory<byte> frame, TimeSpan interval, CancellationToken cancellationToken)
    {
        var tick = TimeSpan.FromTicks(Math.Max(interval.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks));
        using var timer = new PeriodicTimer(tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_time.GetElapsedTime(Volatile.Read(ref _lastWrite)) >= interval)
                    await WriteAsync(frame, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested || _response.HttpContext.RequestAborted.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _keepAlive;
        _stop.Dispose();
        _gate.Dispose();
    }
}
