using System.Diagnostics.Metrics;
using Bridgekeeper.Metrics;
using Bridgekeeper.Recording;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bridgekeeper.Tests.Recording;

public sealed class RetentionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private TempDatabase _db = null!;
    private ServiceProvider _services = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateAsync(TestContext.Current.CancellationToken);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _db.DisposeAsync();
    }

    private RetentionService Service(FakeTimeProvider time, int batchSize = 3) =>
        new(new RetentionStore(_db.Database), new RetentionOptions(TimeSpan.FromDays(60), TimeSpan.FromHours(1), batchSize, TimeSpan.Zero), time,
            new BridgekeeperMetrics(_services.GetRequiredService<IMeterFactory>(), () => 0, ModelLabels.None, "Bridgekeeper.Test." + Guid.NewGuid().ToString("N")),
            NullLogger<RetentionService>.Instance);

    private async Task<List<Guid>> FillAsync(Guid userId, int count, DateTimeOffset startedAt)
    {
        var store = new AuditStore(_db.Database);
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.CreateVersion7(startedAt.AddSeconds(i));
            ids.Add(id);
            var at = startedAt.AddSeconds(i);
            await store.AppendAsync([AuditFixtures.Started(userId, at) with { InterceptionId = id }, new PromptRecorded(id, at, "p"),
                new ToolUsageRecorded(id, at, "t", "c", "{}", false, null, null, null), new ThoughtRecorded(id, at, "x", "thinking"),
                AuditFixtures.Tokens(id, at, 1, 1), AuditFixtures.Ended(id, at)], TestContext.Current.CancellationToken);
        }
        return ids;
    }

    [Fact]
    public async Task RunOnce_RemovesOnlyOldInterceptionsWithChildren_InBatches_WhileWritesContinue()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await new UserStore(_db.Database, TimeProvider.System).CreateUserAsync("old", "member", null, ct);
        await FillAsync(user.Id, 8, Now.AddDays(-90));
        var recent = await FillAsync(user.Id, 4, Now.AddDays(-1));
        var writes = FillAsync(user.Id, 5, Now.AddMinutes(-5));

        var run = await Service(new FakeTimeProvider(Now)).RunOnceAsync(ct);
        await writes;

        Assert.NotNull(run);
        Assert.Equal((8L, 3), (run.Removed, run.Batches));
        Assert.InRange(run.Remaining, 4L, 9L);       // counted while the five concurrent writes may still be landing
        Assert.Equal(9, await CountAsync("interceptions"));
        var store = new AuditStore(_db.Database);
        foreach (var id in recent)
            Assert.NotNull(await store.GetAsync(id, null, ct));
        var retention = new RetentionStore(_db.Database);
        Assert.Equal(0, await retention.CountAsync(Now.AddDays(-60), ct));
        foreach (var table in new[] { "prompts", "token_usages", "tool_usages", "thoughts" })
            Assert.Equal(9, await CountAsync(table));
    }

    [Fact]
    public async Task RunOnce_TwoReplicasSameDatabase_OnlyOneRunsPerSchedule()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(Now);
        var (a, b) = (Service(time), Service(time));

        var first = await a.RunOnceAsync(ct);
        var second = await b.RunOnceAsync(ct);
        time.Advance(TimeSpan.FromMinutes(59));
        var tooSoon = await a.RunOnceAsync(ct);
        time.Advance(TimeSpan.FromMinutes(2));
        var next = await b.RunOnceAsync(ct);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Null(tooSoon);
        Assert.NotNull(next);
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = await _db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
