namespace Bridgekeeper.EndToEndTests.Infrastructure;

/// <summary>Waits for a condition on the system under test, polling, with a deadline (never a fixed sleep).</summary>
internal static class Eventually
{
    public static Task HoldsAsync(Func<bool> condition, string what, int seconds = 20) =>
        HoldsAsync(() => Task.FromResult(condition()), what, seconds);

    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Still not true after {seconds} s: {what}");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
