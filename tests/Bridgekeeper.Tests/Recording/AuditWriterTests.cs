using System.Diagnostics.Metrics;
using System.Globalization;
using Bridgekeeper.Metrics;
using Bridgekeeper.Recording;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Bridgekeeper.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace Bridgekeeper.Tests.Recording;

/// <summary>
/// The writer on a real (temp) database and a fake clock: the test waits for each timer the writer arms (linger,
/// backoff, shutdown waits), checks its due time and moves the clock by exactly that much. A failing store is a
/// SQLite trigger that aborts every insert into <c>interceptions</c>.
/// </summary>
public sealed class AuditWriterTests : IAsyncLifetime
{
    private static readonly TimeSpan InFlightPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(60);
    private readonly ObservedTime _time = new();
    private readonly FakeLogger<AuditWriter> _logger = new();
    private readonly List<(AuditQueue Queue, AuditWriter Writer)> _started = [];
    private ServiceProvider _services = null!;
    private MetricCollector<long> _batches = null!;
    private BridgekeeperMetrics _metrics = null!;
    private TempDatabase _db = null!;
    private Guid _userId;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _db = await TempDatabase.CreateAsync(ct);
        _userId = (await new UserStore(_db.Database, TimeProvider.System).CreateUserAsync("writer", "member", null, ct)).Id;
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = _services.GetRequiredService<IMeterFactory>();
        var meterName = "Bridgekeeper.Test." + Guid.NewGuid().ToString("N");
        _metrics = new BridgekeeperMetrics(meters, () => 0, ModelLabels.None, meterName);
        _batches = new MetricCollector<long>(meters, meterName, "bridgekeeper_audit_batches");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (queue, writer) in _started)
        {
            // Whatever state a test left the writer in, move the clock until shutdown has finished (drained or given up).
            var stopped = writer.StoppedAsync(CancellationToken.None);
            await Eventually.HoldsAsync(() =>
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                return stopped.IsCompleted;
            }, "the writer stopped");
            await stopped;
        }
        _batches.Dispose();
        await _services.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<(AuditQueue Queue, AuditWriter Writer)> StartAsync(int capacity = 100, Action<AuditQueue>? before = null)
    {
        var queue = new AuditQueue(capacity, 64L << 20, structuredLogging: false, NullLogger<AuditQueue>.Instance);
        before?.Invoke(queue);
        var writer = new AuditWriter(queue, new AuditStore(_db.Database), _time, _metrics, _logger);
        await writer.StartAsync(TestContext.Current.CancellationToken);
        _started.Add((queue, writer));
        return (queue, writer);
    }

    private InterceptionStarted Started(Guid id) =>
        new(id, ObservedTime.Epoch, _userId, "anthropic", "anthropic", "claude-haiku-4-5", "Claude Code", null, null, true, "{}");

    private static PromptRecorded Prompt(Guid id, string text) => new(id, ObservedTime.Epoch, text);

    private static InterceptionEnded Ended(Guid id) => new(id, ObservedTime.Epoch, InterceptionStatus.Completed, null);

    private static Guid NewId() => Guid.CreateVersion7(ObservedTime.Epoch);

    private long Batches(string status) => _batches.GetMeasurementSnapshot().Where(m => Equals(m.Tags["status"], status)).Sum(m => m.Value);

    /// <summary>The stored interception as "status: prompt | prompt".</summary>
    private async Task<string> RowAsync(Guid id)
    {
        var view = await new AuditStore(_db.Database).GetAsync(id, null, TestContext.Current.CancellationToken);
        Assert.NotNull(view);
        return $"{view.Status}: {string.Join(" | ", view.Prompts.Select(p => p.Prompt))}";
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await _db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>While on, every insert into <c>interceptions</c> aborts its transaction (so a whole batch fails and leaves nothing).</summary>
    private async Task StoreDownAsync(bool down)
    {
        Assert.SkipWhen(_db.IsPostgres, "The failing store is a SQLite trigger.");
        await ScalarAsync(down
            ? "CREATE TRIGGER store_down BEFORE INSERT ON interceptions BEGIN SELECT RAISE(ABORT, 'store down'); END; SELECT 0"
            : "DROP TRIGGER store_down; SELECT 0");
    }

    [Fact]
    public async Task Run_RecordsArrive_LingersOnceThenWritesThemAsOneBatch()
    {
        var (queue, _) = await StartAsync();
        var id = NewId();

        queue.Record(Started(id));
        queue.Record(Prompt(id, "hello"));
        queue.Record(Ended(id));
        Assert.Equal(AuditWriter.Linger, await _time.NextTimerAsync());
        var beforeLinger = (queue.Depth, await ScalarAsync("SELECT COUNT(*) FROM interceptions"));
        _time.Advance(AuditWriter.Linger);
        await Eventually.HoldsAsync(() => queue.Depth == 0, "the batch is committed");

        Assert.Equal((3, 0L), beforeLinger);
        Assert.Equal("completed: hello", await RowAsync(id));
        Assert.Equal((1L, 0L, 1), (Batches("ok"), Batches("failed"), _time.TimersCreated));
        Assert.Equal(0L, queue.DepthBytes);
    }

    [Fact]
    public async Task Run_StoreFails_RetriesTheBatchWithDoublingBackoff_RefusingNewWork_ThenWritesItOnce()
    {
        await StoreDownAsync(true);
        var (queue, _) = await StartAsync(capacity: 3);
        var id = NewId();
        Assert.True(queue.TryAdmit());
        queue.Record(Started(id));
        queue.Record(Prompt(id, "retried"));
        queue.Record(Ended(id));
        queue.Release();
        Assert.Equal(AuditWriter.Linger, await _time.NextTimerAsync());
        _time.Advance(AuditWriter.Linger);

        var backoffs = new List<TimeSpan>();
        var admittedWhileDown = true;
        for (var failures = 1; failures <= 3; failures++)
        {
            backoffs.Add(await _time.NextTimerAsync());                     // armed after a failed attempt
            if (failures == 3)
            {
                admittedWhileDown = queue.TryAdmit();
                await StoreDownAsync(false);
            }
            _time.Advance(backoffs[^1]);
        }
        await Eventually.HoldsAsync(() => queue.Depth == 0, "the retried batch is committed");

        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], backoffs);
        Assert.False(admittedWhileDown);
        Assert.True(queue.TryAdmit());
        Assert.Equal("completed: retried", await RowAsync(id));
        Assert.Equal((1L, 1L), (await ScalarAsync("SELECT COUNT(*) FROM interceptions"), await ScalarAsync("SELECT COUNT(*) FROM prompts")));
        Assert.Equal((1L, 3L), (Batches("ok"), Batches("failed")));
        var logs = _logger.Collector.GetSnapshot();
        Assert.Equal(
            ["Failed to write 3 audit records (attempt 1); retrying in 100 ms", "Failed to write 3 audit records (attempt 2); retrying in 200 ms",
                "Failed to write 3 audit records (attempt 3); retrying in 400 ms"],
            logs.Where(l => l.Level == LogLevel.Error).Select(l => l.Message));
        Assert.All(logs.Where(l => l.Level == LogLevel.Error), l => Assert.Contains("store down", l.Exception?.Message, StringComparison.Ordinal));
        Assert.Equal("Wrote 3 delayed audit records after 4 attempts", Assert.Single(logs, l => l.Level == LogLevel.Information).Message);
    }

    [Fact]
    public async Task Run_BacklogLargerThanABatch_WritesFullBatchesInOrder_WithoutLingeringBetweenThem()
    {
        // 1,366 interceptions of three records: the first batch (4,096 records) ends with the start of the last one, whose
        // prompt and end come in the second batch. Written out of order, that prompt would break its foreign key and the
        // end would update no row.
        var ids = Enumerable.Range(0, 1366).Select(_ => NewId()).ToList();
        var (queue, _) = await StartAsync(before: queue =>
        {
            foreach (var id in ids)
            {
                queue.Record(Started(id));
                queue.Record(Prompt(id, id.ToString()));
                queue.Record(Ended(id));
            }
        });
        Assert.Equal(AuditWriter.MaxBatchSize + 2, queue.Depth);

        Assert.Equal(AuditWriter.Linger, await _time.NextTimerAsync());
        _time.Advance(AuditWriter.Linger);
        await Eventually.HoldsAsync(() => queue.Depth == 0, "the backlog is committed");

        Assert.Equal((2L, 1), (Batches("ok"), _time.TimersCreated));
        Assert.Equal(1366L, await ScalarAsync($"SELECT COUNT(*) FROM interceptions WHERE status = '{InterceptionStatus.Completed}'"));
        Assert.Equal(1366L, await ScalarAsync("SELECT COUNT(*) FROM prompts"));
        Assert.Equal($"completed: {ids[^1]}", await RowAsync(ids[^1]));
    }

    /// <summary>Admits one interception and lets the writer commit its start (one linger); returns its id.</summary>
    private async Task<Guid> StartOneAsync(AuditQueue queue)
    {
        var id = NewId();
        Assert.True(queue.TryAdmit());
        queue.Record(Started(id));
        Assert.Equal(AuditWriter.Linger, await _time.NextTimerAsync());
        _time.Advance(AuditWriter.Linger);
        await Eventually.HoldsAsync(() => queue.Depth == 0, "the start is committed");
        return id;
    }

    [Fact]
    public async Task StoppedAsync_WaitsForAnInFlightInterceptionsEnd_ThenDrainsTheQueueAndClosesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var (queue, writer) = await StartAsync();
        var id = await StartOneAsync(queue);

        var stopped = writer.StoppedAsync(ct);
        Assert.Equal(InFlightPoll, await _time.NextTimerAsync());             // polls for the interception's end
        var stoppedEarly = stopped.IsCompleted;
        queue.Record(Prompt(id, "last words"));
        queue.Record(Ended(id));
        queue.Release();
        Assert.Equal(AuditWriter.Linger, await _time.NextTimerAsync());
        _time.Advance(AuditWriter.Linger);                                   // wakes both the poll and the writer
        await stopped.WaitAsync(Eventually.Timeout, ct);

        Assert.False(stoppedEarly);
        Assert.Equal("completed: last words", await RowAsync(id));
        Assert.True(queue.Reader.Completion.IsCompleted);
        queue.Record(Prompt(id, "too late"));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task StoppedAsync_InFlightInterceptionNeverEnds_WaitsTenSecondsThenDrainsWhatIsThere()
    {
        var ct = TestContext.Current.CancellationToken;
        var (queue, writer) = await StartAsync();
        var id = await StartOneAsync(queue);

        var stopped = writer.StoppedAsync(ct);
        var polls = 0;
        for (TimeSpan due; (due = await _time.NextTimerAsync()) != DrainWait; polls++)
        {
            Assert.Equal(InFlightPoll, due);
            _time.Advance(due);
        }
        await stopped.WaitAsync(Eventually.Timeout, ct);

        Assert.Equal(500, polls);                                            // 10 s of 20 ms polls
        Assert.True(queue.Reader.Completion.IsCompleted);
        Assert.Equal("in_progress: ", await RowAsync(id));
    }

    [Fact]
    public async Task StoppedAsync_StoreNeverRecovers_RetriesForTheDrainWait_ThenGivesUpAndSaysWhatWasLeft()
    {
        var ct = TestContext.Current.CancellationToken;
        await StoreDownAsync(true);
        var (queue, writer) = await StartAsync();
        var id = NewId();
        queue.Record(Started(id));
        queue.Record(Ended(id));
        Assert.Equal(AuditWriter.Linger, await _time.NextTimerAsync());
        _time.Advance(AuditWriter.Linger);
        var backoffs = new List<TimeSpan> { await _time.NextTimerAsync() };

        var stopped = writer.StoppedAsync(ct);
        Assert.Equal(DrainWait, await _time.NextTimerAsync());
        var giveUp = _time.GetUtcNow() + DrainWait;
        while (_time.GetUtcNow() + backoffs[^1] < giveUp)
        {
            _time.Advance(backoffs[^1]);
            backoffs.Add(await _time.NextTimerAsync());
        }
        _time.Advance(giveUp - _time.GetUtcNow());
        await stopped.WaitAsync(Eventually.Timeout, ct);

        // 100 ms doubling to the 5 s cap: retries at 0.1, 0.3, 0.7, 1.5, 3.1, 6.3, 11.3, ..., 56.3 s; the next would be after 60 s.
        Assert.Equal([.. new[] { 100, 200, 400, 800, 1600, 3200 }.Select(ms => TimeSpan.FromMilliseconds(ms)), .. Enumerable.Repeat(TimeSpan.FromSeconds(5), 11)],
            backoffs);
        Assert.Equal((0L, 17L), (Batches("ok"), Batches("failed")));
        Assert.Equal(2, queue.Depth);
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM interceptions"));
        Assert.Equal("Shutdown gave up draining the audit queue with 2 records still waiting; the database never recovered",
            Assert.Single(_logger.Collector.GetSnapshot(), l => l.Level == LogLevel.Critical).Message);
    }
}
