using System.Data.Common;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Storage;

/// <summary>What only PostgreSQL has: the migration lock, month partitions and the batch fast path. Skipped on SQLite runs.</summary>
public sealed class PostgresStorageTests
{
    [Fact]
    public async Task ApplyAsync_FourReplicasAtOnce_MigrateOnceAndAllFinish()
    {
        Assert.SkipUnless(TestPostgres.Selected, "PostgreSQL only (BRIDGEKEEPER_TEST_DATABASE=postgres).");
        var ct = TestContext.Current.CancellationToken;
        var url = await TestPostgres.CreateDatabaseAsync(ct);
        try
        {
            var replicas = Enumerable.Range(0, 4).Select(_ => Database.Open(url)).ToList();
            var applied = await Task.WhenAll(replicas.Select(d => new Migrator(d).ApplyAsync(ct)));
            var migrator = new Migrator(replicas[0]);

            Assert.Equal(migrator.LatestVersion, applied.Sum());
            Assert.Equal(1, applied.Count(a => a > 0));
            Assert.Equal(migrator.LatestVersion, await ScalarAsync(replicas[0], "SELECT COUNT(*) FROM schema_migrations", ct));
            Assert.Equal(0, await migrator.ApplyAsync(ct));
            foreach (var replica in replicas)
                await replica.DisposeAsync();
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(url);
        }
    }

    [Fact]
    public async Task EnsureAsync_CreatesThisMonthAndTheNextTwo_ForEveryAuditTable()
    {
        Assert.SkipUnless(TestPostgres.Selected, "PostgreSQL only (BRIDGEKEEPER_TEST_DATABASE=postgres).");
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await using var connection = await temp.Database.OpenConnectionAsync(ct);
        var now = new DateTimeOffset(2031, 12, 15, 0, 0, 0, TimeSpan.Zero);

        var created = await PostgresPartitions.EnsureAsync(connection, now, ct);
        var again = await PostgresPartitions.EnsureAsync(connection, now, ct);

        Assert.Equal(["interceptions_p203112", "interceptions_p203201", "interceptions_p203202"], created);
        Assert.Empty(again);
        foreach (var table in PostgresPartitions.Tables)
            Assert.Equal(1, await ScalarAsync(temp.Database, $"SELECT COUNT(*) FROM pg_class WHERE relname = '{table}_p203201' AND relnamespace = current_schema()::regnamespace", ct));
    }

    [Fact]
    public async Task DropBeforeAsync_OldMonthGoesWhole_NewerAndDefaultRowsStay()
    {
        Assert.SkipUnless(TestPostgres.Selected, "PostgreSQL only (BRIDGEKEEPER_TEST_DATABASE=postgres).");
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync("alice", Roles.Member, null, ct);
        var store = new AuditStore(temp.Database);
        var january = new DateTimeOffset(2020, 1, 20, 0, 0, 0, TimeSpan.Zero);
        var march = new DateTimeOffset(2020, 3, 2, 0, 0, 0, TimeSpan.Zero);
        await using (var connection = await temp.Database.OpenConnectionAsync(ct))
            await PostgresPartitions.EnsureAsync(connection, january, ct);   // January, February, March
        var old = Started(alice.Id, january);
        var recent = Started(alice.Id, march);
        var stray = Started(alice.Id, january) with { InterceptionId = Guid.NewGuid() };   // not UUIDv7: lands in DEFAULT
        await store.AppendAsync(
        [
            old, recent, stray,
            Tokens(old.InterceptionId, january, 1, 1), Tokens(recent.InterceptionId, march, 2, 2), Tokens(stray.InterceptionId, january, 3, 3),
            new PromptRecorded(old.InterceptionId, january, "old"), new ThoughtRecorded(old.InterceptionId, january, "hm", "thinking"),
            new ToolUsageRecorded(old.InterceptionId, january, "Read", null, "{}", false, null, null, null),
        ], ct);

        IReadOnlyList<(DateTimeOffset Month, long Interceptions)> dropped;
        await using (var connection = await temp.Database.OpenConnectionAsync(ct))
            dropped = await PostgresPartitions.DropBeforeAsync(connection, new DateTimeOffset(2020, 3, 1, 0, 0, 0, TimeSpan.Zero), ct);

        Assert.Equal([(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), 1L), (new DateTimeOffset(2020, 2, 1, 0, 0, 0, TimeSpan.Zero), 0L)], dropped);
        Assert.Null(await store.GetAsync(old.InterceptionId, null, ct));
        Assert.Equal(2, Assert.Single((await store.GetAsync(recent.InterceptionId, null, ct))!.TokenUsages).InputTokens);
        Assert.Equal(3, Assert.Single((await store.GetAsync(stray.InterceptionId, null, ct))!.TokenUsages).InputTokens);
        Assert.Equal(2, await ScalarAsync(temp.Database, "SELECT COUNT(*) FROM token_usages", ct));
        Assert.Equal(0, await ScalarAsync(temp.Database, "SELECT COUNT(*) FROM prompts", ct));
        Assert.Equal(0, await ScalarAsync(temp.Database, "SELECT COUNT(*) FROM pg_class WHERE relname LIKE '%_p202001' AND relnamespace = current_schema()::regnamespace", ct));
        await Assert.ThrowsAnyAsync<DbException>(() => store.AppendAsync([Tokens(Guid.CreateVersion7(march), march, 1, 1)], ct));
    }

    [Fact]
    public async Task AppendAsync_LargeMixedBatch_EveryRowLandsInOrderOfEffect()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var user = Guid.NewGuid();
        var batch = new List<AuditRecord>();
        var ids = new List<Guid>();
        for (var i = 0; i < 300; i++)
        {
            var at = T0.AddMilliseconds(i);
            var started = Started(user, at);
            ids.Add(started.InterceptionId);
            batch.Add(started);
            batch.Add(new PromptRecorded(started.InterceptionId, at, $"prompt {i}"));
            batch.Add(Tokens(started.InterceptionId, at, i, 1));
            if (i % 3 == 0)
                batch.Add(new ToolUsageRecorded(started.InterceptionId, at, "Read", null, "{}", false, null, null, i % 2 == 0 ? "denied" : null));
            batch.Add(new InterceptionEnded(started.InterceptionId, at.AddSeconds(1), InterceptionStatus.Canceled, "first"));
            batch.Add(new InterceptionEnded(started.InterceptionId, at.AddSeconds(2), InterceptionStatus.Completed, null));
        }

        await store.AppendAsync(batch, ct);

        var page = await store.ListAsync(new InterceptionQuery { Limit = 1000 }, ct);
        Assert.Equal(ids.AsEnumerable().Reverse(), page.Interceptions.Select(v => v.Id));
        Assert.All(page.Interceptions, v => Assert.Equal((InterceptionStatus.Completed, (string?)null), (v.Status, v.Error)));
        Assert.Equal(Enumerable.Range(0, 300).Sum(), page.Interceptions.Sum(v => Assert.Single(v.TokenUsages).InputTokens));
        Assert.Equal(100, page.Interceptions.Sum(v => v.ToolUsages.Count));
        Assert.Equal(T0.AddMilliseconds(299).AddSeconds(2), page.Interceptions[0].EndedAt);
    }

    private static async Task<long> ScalarAsync(Database database, string sql, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
