using System.Net;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Microsoft.Data.Sqlite;

namespace Bridgekeeper.EndToEndTests;

public sealed class DurabilityTests : IAsyncLifetime
{
    private const string Messages = """{"model":"claude-haiku-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"durable?"}]}""";
    private MockUpstreamServer _upstream = null!;

    public async ValueTask InitializeAsync() =>
        _upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions(), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task GracefulStop_WithOpenStreams_LosesNoRecord()
    {
        var ct = TestContext.Current.CancellationToken;
        var gateway = await GatewayUnderTest.StartAsync(_upstream);
        var database = gateway.Settings.Database;
        using var client = gateway.CreateClient(await gateway.CreateKeyAsync("frank"));
        var streams = new List<Task<string>>();
        for (var i = 0; i < 3; i++)
        {
            var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Messages, ("x-mock-chunk-delay-ms", "150"),
                ("x-mock-usage", $"input={10 + i},output=5")), HttpCompletionOption.ResponseHeadersRead, ct);
            streams.Add(response.Content.ReadAsStringAsync(ct));
        }

        await gateway.App.StopAsync();
        var bodies = await Task.WhenAll(streams);

        Assert.All(bodies, body => Assert.Contains("event: message_stop", body, StringComparison.Ordinal));
        var rows = await QueryAsync(database, "SELECT i.status || ':' || t.input_tokens FROM interceptions i JOIN token_usages t ON t.interception_id = i.id ORDER BY t.input_tokens");
        Assert.Equal(["completed:10", "completed:11", "completed:12"], rows);
        await gateway.DisposeAsync();
    }

    [Fact]
    public async Task DatabaseLockedForAWhile_RecordsLandAfterItRecovers()
    {
        Assert.SkipWhen(TestPostgres.Selected, "Locks and reads the SQLite file; PostgresDurabilityTests covers PostgreSQL.");
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(_upstream);
        using var client = gateway.CreateClient(await gateway.CreateKeyAsync("grace"));
        var (blocker, transaction) = await HoldWriteLockAsync(gateway.DatabasePath);
        await using var _ = blocker;

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Messages, ("x-mock-usage", $"input={i + 1},output=1")), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync(ct);
        }
        Assert.Empty(await QueryAsync(gateway.DatabasePath, "SELECT id FROM interceptions"));
        await Eventually.HoldsAsync(() => gateway.Logs.Lines.Any(l => l.Contains("Failed to write", StringComparison.Ordinal)),
            "the writer failed a batch against the locked database");   // SQLite's busy timeout is 5 s
        await transaction.RollbackAsync(ct);

        await gateway.WaitForEndedAsync(expected: 5);
        var rows = await QueryAsync(gateway.DatabasePath, "SELECT i.status || ':' || t.input_tokens FROM interceptions i JOIN token_usages t ON t.interception_id = i.id ORDER BY t.input_tokens");
        Assert.Equal(["completed:1", "completed:2", "completed:3", "completed:4", "completed:5"], rows);
        // Logged just after the commit the rows above were read from, so it may come a moment later.
        await Eventually.HoldsAsync(() => gateway.Logs.Lines.Any(l => l.Contains("delayed audit records after", StringComparison.Ordinal)),
            "the writer logged the delayed batch");
    }

    [Fact]
    public async Task QueueFull_NewInterceptionsGet503InProviderShape()
    {
        Assert.SkipWhen(TestPostgres.Selected, "Locks and reads the SQLite file; PostgresDurabilityTests covers PostgreSQL.");
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(_upstream, s => s with { AuditQueueCapacity = 3, SpoolBytes = 0 });   // the memory queue alone
        using var client = gateway.CreateClient(await gateway.CreateKeyAsync("heidi"));
        var (blocker, transaction) = await HoldWriteLockAsync(gateway.DatabasePath);
        await using var _ = blocker;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.SendAsync(Wire.Post("/openai/v1/chat/completions",
                """{"model":"gpt-4o","messages":[{"role":"user","content":"q"}]}"""), ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                BadInputTests.AssertProviderError(await response.Content.ReadAsStringAsync(ct), "openai", "");
        }
        await transaction.RollbackAsync(ct);

        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        var admitted = statuses.Count(s => s == HttpStatusCode.OK);
        await gateway.WaitForEndedAsync(expected: admitted);
        Assert.Equal(admitted, (await gateway.ListInterceptionsAsync()).Count);
    }

    /// <param name="spooled">With the spool, its own byte budget (the records' frames) decides instead: past the memory bounds records wait in the spool.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task QueueOverItsByteBudget_NewInterceptionsGet503LongBeforeTheRecordCount_AndAdmittedOnesAllLand(bool spooled)
    {
        Assert.SkipWhen(TestPostgres.Selected, "Locks the SQLite file; the byte budget is the same code on PostgreSQL.");
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(_upstream, s => s with
        {
            AuditQueueCapacity = spooled ? 3 : 10_000,
            AuditQueueBytes = 1024 * 1024,
            SpoolBytes = spooled ? 500 * 1024 : 0,
        });
        using var client = gateway.CreateClient(await gateway.CreateKeyAsync("heidi"));
        var (blocker, transaction) = await HoldWriteLockAsync(gateway.DatabasePath);
        await using var _ = blocker;
        var prompt = new string('p', 60 * 1024);   // recorded whole (under the 64 KiB cap): about 120 KiB queued per interception

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.SendAsync(Wire.Post("/openai/v1/chat/completions",
                $$"""{"model":"gpt-4o","messages":[{"role":"user","content":"{{prompt}}"}]}"""), ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                BadInputTests.AssertProviderError(await response.Content.ReadAsStringAsync(ct), "openai", "overloaded_error");
        }
        await transaction.RollbackAsync(ct);

        var admitted = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.InRange(admitted, 7, 10);                                  // 1 MiB / ~120 KiB (spool: 500 KiB / ~60 KiB), whatever the record count
        Assert.Equal(20 - admitted, statuses.Count(s => s == HttpStatusCode.ServiceUnavailable));
        await gateway.WaitForEndedAsync(expected: admitted);
        var records = await gateway.ListInterceptionsAsync();
        Assert.Equal(admitted, records.Count);
        Assert.All(records, r => Assert.Equal(prompt, r.GetProperty("prompts")[0].GetProperty("prompt").GetString()));
    }

    /// <summary>Another connection takes SQLite's write lock and keeps it until the transaction is rolled back.</summary>
    private static async Task<(SqliteConnection, SqliteTransaction)> HoldWriteLockAsync(string database)
    {
        var ct = TestContext.Current.CancellationToken;
        var blocker = new SqliteConnection($"Data Source={database}");
        await blocker.OpenAsync(ct);
        var transaction = (SqliteTransaction)await blocker.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
        await using var write = blocker.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = "UPDATE users SET email = email";
        await write.ExecuteNonQueryAsync(ct);
        return (blocker, transaction);
    }

    /// <summary>Rows of one text column, read straight from the database (SQLite file or PostgreSQL URL).</summary>
    private static async Task<List<string>> QueryAsync(string database, string sql)
    {
        await using var db = Database.Open(database);
        await using var connection = await db.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }
}
