using System.Text;
using Bridgekeeper.Streaming;
using Bridgekeeper.Tests.Testing;

namespace Bridgekeeper.Tests.Streaming;

public sealed class SseResponseTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Tick = Interval / 4;                    // how often the keep-alive loop looks at the clock
    private const string KeepAlive = "event: ping\ndata: {\"type\": \"ping\"}\n\n";
    private readonly ObservedTime _time = new();

    private DateTimeOffset At(TimeSpan offset) => ObservedTime.Epoch + offset;

    private Task<SseResponse> StartAsync(Microsoft.AspNetCore.Http.HttpResponse response) =>
        SseResponse.StartAsync(response, _time, Encoding.UTF8.GetBytes(KeepAlive), Interval, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Start_CommitsSseHeadersWithBufferingOff_AndPushesThemWithNoBody()
    {
        var (context, body) = RecordingResponseBody.Create(_time);
        context.Response.ContentLength = 1234;                              // whatever the caller had set, a stream has no length
        context.Response.Headers["x-request-id"] = "req_1";

        await using var sse = await StartAsync(context.Response);

        Assert.Equal(1, body.Starts);
        Assert.True(body.BufferingDisabled);
        Assert.Equal(new Dictionary<string, string>
        {
            ["Content-Type"] = "text/event-stream",
            ["Cache-Control"] = "no-cache",
            ["X-Accel-Buffering"] = "no",
            ["x-request-id"] = "req_1",
        }, body.HeadersAtStart);
        Assert.Equal([("", At(TimeSpan.Zero))], body.Flushes);
    }

    [Fact]
    public async Task Start_CallerSetAContentType_KeepsIt()
    {
        var (context, body) = RecordingResponseBody.Create(_time);
        context.Response.ContentType = "text/event-stream; charset=utf-8";

        await using var sse = await StartAsync(context.Response);

        Assert.Equal("text/event-stream; charset=utf-8", body.HeadersAtStart["Content-Type"]);
    }

    [Fact]
    public async Task Write_EachFrame_IsOneFlushOfExactlyItsBytes()
    {
        var ct = TestContext.Current.CancellationToken;
        var (context, body) = RecordingResponseBody.Create(_time);
        string[] frames = ["data: {\"n\":1}\n\n", "event: message_stop\r\ndata: {}\r\n\r\n", ": comment\ndata: a\ndata: b\n\n"];
        await using var sse = await StartAsync(context.Response);

        foreach (var frame in frames)
            await sse.WriteAsync(Encoding.UTF8.GetBytes(frame), ct);

        Assert.Equal(["", .. frames], body.Flushes.Select(f => f.Text));
    }

    [Fact]
    public async Task Write_HeldBack_GoesOutInOneFlushWithTheFrameThatFlushes()
    {
        var ct = TestContext.Current.CancellationToken;
        var (context, body) = RecordingResponseBody.Create(_time);
        await using var sse = await StartAsync(context.Response);

        await sse.WriteAsync("data: 1\n\n"u8.ToArray(), flush: false, ct);
        await sse.WriteAsync("data: 2\n\n"u8.ToArray(), flush: false, ct);
        Assert.Single(body.Flushes);                                         // only the headers so far
        await sse.FlushAsync(ct);
        await sse.FlushAsync(ct);                                            // nothing held: no empty flush

        Assert.Equal([("", At(TimeSpan.Zero)), ("data: 1\n\ndata: 2\n\n", At(TimeSpan.Zero))], body.Flushes);
    }

    [Fact]
    public async Task Write_HeldBackPastTheLimit_Flushes()
    {
        var ct = TestContext.Current.CancellationToken;
        var (context, body) = RecordingResponseBody.Create(_time);
        await using var sse = await StartAsync(context.Response);
        var big = Encoding.UTF8.GetBytes($"data: {new string('x', SseResponse.MaxUnflushed)}\n\n");

        await sse.WriteAsync(big, flush: false, ct);

        Assert.Equal(2, body.Flushes.Count);
        Assert.Equal(big.Length, body.Flushes[1].Text.Length);
    }

    [Fact]
    public async Task KeepAlive_NothingWritten_OneFrameEachIntervalAndNoneBefore()
    {
        var (context, body) = RecordingResponseBody.Create(_time);
        await using var sse = await StartAsync(context.Response);

        for (var tick = 1; tick <= 9; tick++)
        {
            var due = tick % 4 == 0;                                        // 20 s, 40 s of silence
            await _time.AdvanceAndAwaitReadsAsync(Tick, reads: due ? 2 : 1);   // the check, and the write's own read
        }

        Assert.Equal([("", At(TimeSpan.Zero)), (KeepAlive, At(Interval)), (KeepAlive, At(2 * Interval))], body.Flushes);
    }

    [Fact]
    public async Task KeepAlive_WhileFramesFlow_NoneSent_ThenOneAnIntervalAfterTheLastFrame()
    {
        var ct = TestContext.Current.CancellationToken;
        var (context, body) = RecordingResponseBody.Create(_time);
        await using var sse = await StartAsync(context.Response);

        for (var tick = 1; tick <= 17; tick++)
        {
            await _time.AdvanceAndAwaitReadsAsync(Tick, reads: tick == 16 ? 2 : 1);
            if (tick % 3 == 0 && tick <= 12)                               // a frame every 15 s, under the 20 s interval
                await sse.WriteAsync(Encoding.UTF8.GetBytes($"data: {tick}\n\n"), ct);
        }

        Assert.Equal(
        [
            ("", At(TimeSpan.Zero)),
            ("data: 3\n\n", At(3 * Tick)),
            ("data: 6\n\n", At(6 * Tick)),
            ("data: 9\n\n", At(9 * Tick)),
            ("data: 12\n\n", At(12 * Tick)),
            (KeepAlive, At(16 * Tick)),                                     // 20 s after the frame at 60 s
        ], body.Flushes);
    }

    [Fact]
    public async Task Dispose_StopsTheKeepAliveLoop()
    {
        var (context, body) = RecordingResponseBody.Create(_time);
        var sse = await StartAsync(context.Response);

        await sse.DisposeAsync().AsTask().WaitAsync(Eventually.Timeout, TestContext.Current.CancellationToken);   // awaits the loop's end
        _time.Advance(10 * Interval);

        Assert.Equal([("", At(TimeSpan.Zero))], body.Flushes);
    }
}
