using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Bridgekeeper.Auth;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.EndToEndTests.Postgres;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Microsoft.Data.Sqlite;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// <c>kill -9</c> of the real executable in the middle of steady traffic, then a restart on the same database and
/// spool: every request that got a 200 is in the database exactly once, and nothing else is (each request has a prompt
/// of its own). Once with the database up, once with it unable to commit during the kill (PostgreSQL: the server
/// stopped; SQLite: another connection holding an exclusive lock), which leaves the records of the last requests only
/// in the spool. The memory queue is small, so records also wait in the spool (spilled) while the database is away,
/// and nothing is refused: 503 comes only when the spool is full. Runs on SQLite and on PostgreSQL.
/// </summary>
[Collection(nameof(PostgresServerCollection))]
public sealed partial class SpoolKillTests() : SharedDatabaseTest("bk-spool-kill-")
{
    private const int Workers = 12;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Kill9MidTraffic_Restart_EveryAnsweredRequestIsRecordedExactlyOnce(bool databaseDownAtTheKill)
    {
        var ct = TestContext.Current.CancellationToken;
        var pgCtl = Environment.GetEnvironmentVariable(TestPostgres.PgCtlVariable);
        Assert.SkipWhen(databaseDownAtTheKill && TestPostgres.Selected && pgCtl is null, $"{TestPostgres.PgCtlVariable} names the script that stops the test server (test.sh sets it).");
        var key = await SeedKeyAsync(ct);
        var answered = new ConcurrentBag<string>();
        var sent = new ConcurrentBag<string>();
        var refused = 0;
        SqliteConnection? locker = null;
        var stopped = false;

        var gateway = StartGateway();
        try
        {
            var url = await gateway.ListeningUrlAsync();
            using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
            using var stop = new CancellationTokenSource();
            using var killing = new CancellationTokenSource();
            var traffic = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var prompt = $"kill-{w}-{i}";
                    sent.Add(prompt);
                    try
                    {
                        using var request = Wire.Post("/openai/v1/chat/completions", $$"""{"model":"gpt-4o","messages":[{"role":"user","content":"{{prompt}}"}]}""");
                        request.Headers.Authorization = new("Bearer", key);
                        using var response = await client.SendAsync(request, ct);
                        await response.Content.ReadAsStringAsync(ct);
                        if (response.StatusCode == HttpStatusCode.OK)
                            answered.Add(prompt);
                        else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                            Interlocked.Increment(ref refused);
                    }
                    catch (HttpRequestException) when (killing.IsCancellationRequested)
                    {
                        return;   // the gateway was killed under this request
                    }
                }
            }, ct)).ToList();

            await Eventually.HoldsAsync(() => answered.Count >= 300, "300 requests answered", seconds: 60);
            if (databaseDownAtTheKill)
            {
                if (TestPostgres.Selected)
                {
                    await PostgresDurabilityTests.RunAsync(pgCtl!, "stop -m fast", ct);
                    stopped = true;
                }
                else
                    locker = await LockAsync(ct);
                var before = answered.Count;
                await Eventually.HoldsAsync(() => answered.Count >= before + 200, "200 more requests answered with the database away", seconds: 60);
            }
            await killing.CancelAsync();
            await gateway.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(traffic);
        }
        finally
        {
            await gateway.DisposeAsync();
            locker?.Dispose();
            if (stopped)
                await PostgresDurabilityTests.RunAsync(pgCtl!, "start", CancellationToken.None);
        }

        await using (var again = StartGateway())
        {
            await again.ListeningUrlAsync();   // the spool is replayed before the gateway listens
            var recorded = await RecordedPromptsAsync(ct);

            var duplicated = recorded.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(duplicated.Count == 0, $"recorded more than once: {string.Join(", ", duplicated.Take(10))}");
            var missing = answered.Except(recorded).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} of {answered.Count} answered requests are not recorded, e.g. {string.Join(", ", missing.Take(10))}\n{again.Output}");
            Assert.Subset(sent.ToHashSet(), recorded.ToHashSet());
            // A start without its prompt yet: a request the kill caught between its first two records.
            Assert.InRange(await CountAsync("SELECT COUNT(*) FROM interceptions", ct), recorded.Count, recorded.Count + Workers);
            Assert.Equal(0, refused);
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(Folder, "spool"), "*.seg"));   // replayed, then a clean stop
    }

    private ExecutableProcess StartGateway() => ExecutableProcess.Start(
        ["server", "--http-address", "127.0.0.1:0", "--database", DatabaseSetting, "--spool-dir", Path.Combine(Folder, "spool"), "--audit-queue-capacity", "50"],
        new Dictionary<string, string>
        {
            ["BRIDGEKEEPER_OPENAI_KEY"] = GatewayUnderTest.OpenAIUpstreamKey,
            ["BRIDGEKEEPER_OPENAI_BASE_URL"] = Upstream.OpenAIBaseUrl.AbsoluteUri,
        });

    private async Task<string> SeedKeyAsync(CancellationToken ct)
    {
        await using var database = Database.Open(DatabaseSetting);
        await new Migrator(database).ApplyAsync(ct);
        var users = new UserStore(database, TimeProvider.System);
        var user = await users.CreateUserAsync("kim", Roles.Member, null, ct);
        var key = ApiKey.Generate();
        await users.CreateKeyAsync(user.Id, "test", null, key.Hash, key.Hint, ct);
        return key.Key;
    }

    /// <summary>Holds SQLite's write lock from another connection, so the gateway's commits wait and fail (busy) until released.</summary>
    private async Task<SqliteConnection> LockAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabaseSetting, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "BEGIN EXCLUSIVE";
        await command.ExecuteNonQueryAsync(ct);
        return connection;
    }

    private async Task<List<string>> RecordedPromptsAsync(CancellationToken ct)
    {
        await using var database = Database.Open(DatabaseSetting);
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT prompt FROM prompts";
        var prompts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            prompts.Add(reader.GetString(0));
        return prompts;
    }

    private async Task<long> CountAsync(string sql, CancellationToken ct)
    {
        await using var database = Database.Open(DatabaseSetting);
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
