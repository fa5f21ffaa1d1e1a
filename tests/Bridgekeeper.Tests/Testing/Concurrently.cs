namespace Bridgekeeper.Tests.Testing;

/// <summary>Runs one action on several threads at once, to provoke the races a single caller never meets.</summary>
internal static class Concurrently
{
    /// <summary>
    /// Runs <paramref name="action"/> on <paramref name="count"/> threads of their own (pool threads might not all be
    /// there to wait), released together by a barrier, and returns what each returned.
    /// </summary>
    public static async Task<T[]> RunAsync<T>(int count, Func<T> action)
    {
        using var start = new Barrier(count);
        var ct = TestContext.Current.CancellationToken;
        return await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait(ct);
            return action();
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
    }
}
