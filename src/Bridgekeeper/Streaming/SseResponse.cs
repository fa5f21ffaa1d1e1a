using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Bridgekeeper.Streaming;

/// <summary>
/// The client side of a relayed stream: commits SSE headers, writes whole frames with a flush each, and sends a
/// keep-alive frame whenever nothing was written for the keep-alive interval (so load balancers with 60 s idle
/// timeouts do not cut slow first tokens). Writes from the relay and the keep-alive loop are serialized.
/// </summary>
internal sealed class SseResponse : IAsyncDisposable
{
    private readonly HttpResponse _response;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop;
    private readonly Task _keepAlive;
    private long _lastWrite;

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

    /// <summary>Writes one complete frame and flushes it.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await _response.BodyWriter.WriteAsync(frame, cancellationToken);
            Volatile.Write(ref _lastWrite, _time.GetTimestamp());
        }
        finally
        {
            _gate.Release();
        }
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
