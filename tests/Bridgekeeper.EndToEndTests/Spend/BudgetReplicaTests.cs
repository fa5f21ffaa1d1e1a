using System.Net;
using System.Text.Json;
using Bridgekeeper.Auth;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Bridgekeeper.Spend;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.EndToEndTests.Spend;

/// <summary>
/// A budget shared by two replicas of one database (issue 16's "Done when"): 200 concurrent requests through both
/// overspend by at most one request's estimate and are refused only once the budget is used up; and a replica killed
/// with requests in flight leaves no reservation behind once it is back. On PostgreSQL, and on SQLite too.
/// </summary>
public sealed class BudgetReplicaTests() : SharedDatabaseTest("bk-budget-")
{

    [Fact]
    public async Task TwoReplicas_200ConcurrentRequests_OverspendAtMostOneEstimate_NothingRefusedWhileBelow()
    {
        var ct = TestContext.Current.CancellationToken;
        var (body, cost) = Request("concurrent");
        var limit = 19.5m * cost;
        await using var first = await GatewayUnderTest.StartAsync(Upstream, s => s with { Database = DatabaseSetting });
        await using var second = await GatewayUnderTest.StartAsync(Upstream, s => s with { Database = DatabaseSetting, SecretKey = first.Settings.SecretKey },
            adminKey: first.AdminKey);
        var keys = await SeedAsync("gus", keyCount: 10, budgetUsd: limit, ct);
        foreach (var replica in new[] { first, second })     // as each would within SpendBook.RefreshInterval
            await replica.App.App.Services.GetRequiredService<SpendBook>().ReloadAsync(ct);
        var clients = new[] { first, second }.SelectMany(g => keys.Select(k => g.CreateClient(k, asXApiKey: true))).ToArray();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = await clients[i % clients.Length].SendAsync(Wire.Post("/anthropic/v1/messages", body, Usage(body),
                ("x-mock-latency-ms", "30")), ct);
            await response.Content.ReadAsStringAsync(ct);
            return response.StatusCode;
        }));
        foreach (var client in clients)
            client.Dispose();

        var admitted = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.Equal(200, admitted + statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        // The estimate is the actual cost here, so the account reaches the limit exactly when the 20th is admitted:
        // every refusal came once spent and reserved had reached it, and the overspend is half of one estimate.
        Assert.Equal(20, admitted);
        await first.WaitForEndedAsync(expected: 200);
        var (spent, reserved) = await AccountAsync(ct);
        Assert.Equal((20 * cost, 0m), (spent, reserved));
        Assert.InRange(spent - limit, 0m, cost);
        Assert.Equal((0L, 0L), await HeldAsync(ct));
    }

    [Fact]
    public async Task Kill9OfAReplicaWithRequestsInFlight_LeavesNoReservationOnceItIsBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var (body, _) = Request("killed");
        var key = (await SeedAsync("hal", keyCount: 1, budgetUsd: 100m, ct))[0];
        var doomed = Start("a");
        await using var survivor = Start("b");
        var url = await doomed.ListeningUrlAsync();
        await survivor.ListeningUrlAsync();
        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("x-api-key", key);

        var inFlight = Enumerable.Range(0, 12).Select(_ => client.SendAsync(Wire.Post("/anthropic/v1/messages", body, Usage(body),
            ("x-mock-latency-ms", "60000")), ct)).ToList();
        await Eventually.HoldsAsync(async () => (await HeldAsync(ct)).Count == 12, "the requests holding their reservations");
        await doomed.KillAsync();
        await doomed.DisposeAsync();
        await using var restarted = Start("a");
        await restarted.ListeningUrlAsync();

        await Eventually.HoldsAsync(async () => await HeldAsync(ct) == (0, 0), "the killed replica's reservations released", seconds: 40);
        Assert.Equal((0m, 0m), await AccountAsync(ct));
        // The log line follows the commit the database already shows, perhaps from both sweepers: they add up to 12.
        await Eventually.HoldsAsync(() => Released(survivor.Output) + Released(restarted.Output) == 12, "a log of the 12 released reservations");
        Assert.All(await Task.WhenAll(inFlight.Select(async t => await Record.ExceptionAsync(() => t))), e => Assert.IsAssignableFrom<HttpRequestException>(e));
    }

    private static (string Body, decimal Cost) Request(string prompt) => (SpendRequests.Body(prompt), SpendRequests.Cost(SpendRequests.Body(prompt)));

    private static (string, string) Usage(string body) => SpendRequests.Usage(body);

    private static int Released(string output) => System.Text.RegularExpressions.Regex.Matches(output, @"Released (\d+) budget reservations")
        .Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    private ExecutableProcess Start(string name) => ExecutableProcess.Start(
        ["server", "--http-address", "127.0.0.1:0", "--database", DatabaseSetting, "--spool-dir", Path.Combine(Folder, "spool-" + name)],
        new Dictionary<string, string>
        {
            ["BRIDGEKEEPER_ANTHROPIC_KEY"] = GatewayUnderTest.AnthropicUpstreamKey,
            ["BRIDGEKEEPER_ANTHROPIC_BASE_URL"] = Upstream.AnthropicBaseUrl.AbsoluteUri,
        });

    /// <summary>A member with <paramref name="keyCount"/> keys and a daily budget on them as a user; returns the keys.</summary>
    private async Task<IReadOnlyList<string>> SeedAsync(string name, int keyCount, decimal budgetUsd, CancellationToken ct)
    {
        await using var database = Database.Open(DatabaseSetting);
        await new Migrator(database).ApplyAsync(ct);
        var users = new UserStore(database, TimeProvider.System);
        var user = await users.CreateUserAsync(name, Roles.Member, null, ct);
        var keys = new List<string>();
        for (var i = 0; i < keyCount; i++)
        {
            var key = ApiKey.Generate();
            await users.CreateKeyAsync(user.Id, $"k{i}", null, key.Hash, key.Hint, ct);
            keys.Add(key.Key);
        }
        await new BudgetStore(database, TimeProvider.System).CreateAsync(BudgetScopes.User, user.Id, Nanos.FromUsd(budgetUsd), BudgetPeriods.Day, false, ct);
        return keys;
    }

    private async Task<(long Count, long Nanos)> HeldAsync(CancellationToken ct)
    {
        await using var database = Database.Open(DatabaseSetting);
        return await new BudgetLedger(database, TimeProvider.System).HeldAsync(ct);
    }

    /// <summary>The one account's spent and reserved USD today (0 and 0 when it has none).</summary>
    private async Task<(decimal Spent, decimal Reserved)> AccountAsync(CancellationToken ct)
    {
        await using var database = Database.Open(DatabaseSetting);
        var rows = await new BudgetStore(database, TimeProvider.System).SpendSinceAsync(DateTimeOffset.UtcNow.Date, ct);
        var row = rows.SingleOrDefault();
        return (Nanos.ToUsd(row?.SpentNanos ?? 0), Nanos.ToUsd(row?.ReservedNanos ?? 0));
    }
}
