using System.Diagnostics;
using System.Net;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Spend;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.EndToEndTests.Spend;

/// <summary>
/// A rate limit shared by two replicas of one database (issue 16's "Done when"): offered far more than the limit through
/// both, they admit within 10 % of its rate once its minute's allowance is spent, while each admits most requests from
/// its local lease without asking the database. On PostgreSQL, and on SQLite too.
/// </summary>
public sealed class RateLimitReplicaTests() : SharedDatabaseTest("bk-limit-")
{
    private const int Rpm = 600;                         // 10 a second
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TwoReplicas_OfferedTwentyTimesTheRate_AdmitWithinTenPercentOfIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var first = await GatewayUnderTest.StartAsync(Upstream, s => s with { Database = DatabaseSetting });
        await using var second = await GatewayUnderTest.StartAsync(Upstream, s => s with { Database = DatabaseSetting, SecretKey = first.Settings.SecretKey },
            adminKey: first.AdminKey);
        var key = await first.CreateKeyAsync("max");
        using (var admin = first.CreateClient(first.AdminKey))
            await RateLimitTests.SetLimitAsync(admin, new { user = "max", rpm = Rpm });
        foreach (var replica in new[] { first, second })     // as each would within SpendBook.RefreshInterval
            await replica.App.App.Services.GetRequiredService<SpendBook>().ReloadAsync(ct);
        var clients = new[] { first, second }.Select(g => g.CreateClient(key, asXApiKey: true)).ToArray();
        var body = SpendRequests.Body("limited");

        // Open-loop load: 20 senders, one request each every 100 ms (200 a second, 20 times the limit), half to each replica.
        var clock = Stopwatch.StartNew();
        var firstRefusal = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var admittedAt = new System.Collections.Concurrent.ConcurrentBag<TimeSpan>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var senders = Enumerable.Range(0, 20).Select(n => Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (!stop.IsCancellationRequested && await timer.WaitForNextTickAsync(CancellationToken.None))
            {
                var sent = clock.Elapsed;
                using var response = await clients[n % 2].SendAsync(Wire.Post("/anthropic/v1/messages", body), CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.OK)
                    admittedAt.Add(sent);
                else if (response.StatusCode == HttpStatusCode.TooManyRequests)
                    firstRefusal.TrySetResult(clock.Elapsed);
                else
                    Assert.Fail($"{response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
            }
        }, CancellationToken.None)).ToList();

        var empty = await firstRefusal.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);    // the minute's allowance of 600 is spent
        await Task.Delay(Measured, ct);
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        var end = empty + Measured;
        foreach (var client in clients)
            client.Dispose();

        // Counted: the requests sent once the shared bucket was empty, over the measured 10 s: it refills 100 in that time.
        var (admitted, before) = (admittedAt.Count(t => t >= empty && t < end), admittedAt.Count(t => t < empty));
        Assert.True(admitted is >= 90 and <= 110, $"{admitted} admitted in the measured 10 s, 100 expected");
        Assert.True(before is >= Rpm and <= Rpm + 40, $"{before} admitted before the first refusal at {empty}: {Rpm} and the refill until then expected");
    }
}
