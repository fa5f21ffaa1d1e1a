namespace Bridgekeeper.Tests.Testing;

/// <summary>Waits for a condition on the code under test, polling, with a deadline: never a fixed sleep.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task HoldsAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Still not true after {Timeout.TotalSeconds} s: {what}");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The first value of <paramref name="probe"/> that satisfies <paramref name="done"/>.</summary>
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Still not true after {Timeout.TotalSeconds} s: {what}; last: {value}");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
