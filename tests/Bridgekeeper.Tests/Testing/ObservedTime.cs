using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Bridgekeeper.Tests.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells the test what the code under test did with it: every timer it armed
/// (with its due time, in order) and how often it read the clock. A test waits for "the writer armed its backoff" or
/// "the keep-alive loop looked at the clock" and then moves time, instead of sleeping and hoping.
/// </summary>
internal sealed class ObservedTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();
    private int _timers;
    private int _reads;

    public static readonly DateTimeOffset Epoch = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    public ObservedTime()
        : this(Epoch)
    {
    }

    /// <summary>Timers created so far (Task.Delay, PeriodicTimer and CancellationTokenSource timers each make one).</summary>
    public int TimersCreated => Volatile.Read(ref _timers);

    /// <summary>Calls of <see cref="GetTimestamp"/> so far.</summary>
    public int Reads => Volatile.Read(ref _reads);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        _armed.Writer.TryWrite(dueTime);
        return timer;
    }

    public override long GetTimestamp()
    {
        Interlocked.Increment(ref _reads);
        return base.GetTimestamp();
    }

    /// <summary>The due time of the next timer armed (one not returned before), waiting for it up to <see cref="Eventually.Timeout"/>.</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Eventually.Timeout);
        try
        {
            return await _armed.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No timer was armed within {Eventually.Timeout.TotalSeconds} s.");
        }
    }

    /// <summary>
    /// Moves time by <paramref name="delta"/> and waits until the clock has been read <paramref name="reads"/> more times
    /// (by whatever the timers woke): the way to know a loop woken by a timer has done its work at this time.
    /// </summary>
    public Task AdvanceAndAwaitReadsAsync(TimeSpan delta, int reads = 1)
    {
        var before = Reads;
        Advance(delta);
        return Eventually.HoldsAsync(() => Reads >= before + reads, $"{reads} clock read(s) after advancing to {GetUtcNow():O}");
    }
}
