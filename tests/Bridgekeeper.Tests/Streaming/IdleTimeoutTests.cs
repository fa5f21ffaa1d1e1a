using Bridgekeeper.Streaming;
using Microsoft.Extensions.Time.Testing;

namespace Bridgekeeper.Tests.Streaming;

public sealed class IdleTimeoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Token_SilentForTheWholeInterval_FiresThenAndNotBefore_AsTimedOut()
    {
        using var client = new CancellationTokenSource();
        using var idle = new IdleTimeout(Timeout, client.Token, _time);

        _time.Advance(Timeout - Tick);
        var before = (idle.Token.IsCancellationRequested, idle.TimedOut);
        _time.Advance(Tick);

        Assert.Equal((false, false), before);
        Assert.Equal((true, true), (idle.Token.IsCancellationRequested, idle.TimedOut));
        Assert.False(client.IsCancellationRequested);
    }

    [Fact]
    public void Reset_PostponesTheDeadline_ToAWholeIntervalAfterTheReset()
    {
        using var client = new CancellationTokenSource();
        using var idle = new IdleTimeout(Timeout, client.Token, _time);
        var reset = TimeSpan.FromSeconds(20);

        _time.Advance(reset);
        idle.Reset();
        _time.Advance(Timeout - Tick);                      // 49.999 s after the start, 29.999 s after the reset
        var justBefore = idle.Token.IsCancellationRequested;
        _time.Advance(Tick);

        Assert.False(justBefore);
        Assert.True(idle.TimedOut);
    }

    [Fact]
    public void Reset_OnEveryEvent_KeepsAStreamAlivePastManyIntervals()
    {
        using var client = new CancellationTokenSource();
        using var idle = new IdleTimeout(Timeout, client.Token, _time);

        for (var i = 0; i < 100; i++)
        {
            _time.Advance(Timeout - Tick);
            idle.Reset();
        }

        Assert.False(idle.Token.IsCancellationRequested);
        _time.Advance(Timeout);
        Assert.True(idle.TimedOut);
    }

    [Fact]
    public void Token_ClientLeaves_CancelsAtOnce_NotTimedOut()
    {
        using var client = new CancellationTokenSource();
        using var idle = new IdleTimeout(Timeout, client.Token, _time);

        client.Cancel();

        Assert.Equal((true, false), (idle.Token.IsCancellationRequested, idle.TimedOut));
        _time.Advance(Timeout);
        Assert.False(idle.TimedOut);                        // the client's cancellation stays the reason
    }

    [Fact]
    public void Reset_AfterItFired_DoesNotRevive()
    {
        using var idle = new IdleTimeout(Timeout, CancellationToken.None, _time);
        _time.Advance(Timeout);

        idle.Reset();

        Assert.True(idle.TimedOut);
    }

    [Fact]
    public void Token_OnTheSystemClock_FiresWithoutAnyReset()
    {
        using var idle = new IdleTimeout(TimeSpan.FromMilliseconds(50), CancellationToken.None);

        Assert.True(idle.Token.WaitHandle.WaitOne(Testing.Eventually.Timeout), "the idle timeout never fired on the system clock");
        Assert.True(idle.TimedOut);
    }
}
