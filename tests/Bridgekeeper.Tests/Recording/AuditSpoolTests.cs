using Bridgekeeper.Recording;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace Bridgekeeper.Tests.Recording;

/// <summary>
/// The audit spool on a temp folder: frames round-trip every record type, a segment left by a run that died is replayed
/// into a real database (up to a tear, which is logged), a replay twice lands once, and records past the memory bounds
/// wait in the spool and come back in order.
/// </summary>
public sealed class AuditSpoolTests : IAsyncLifetime
{
    private readonly FakeLogger<AuditSpool> _logger = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("bk-spool-").FullName;
    private readonly DateTimeOffset _at = DateTimeOffset.UtcNow.AddMinutes(-1);
    private TempDatabase _db = null!;
    private Guid _userId;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _db = await TempDatabase.CreateAsync(ct);
        _userId = (await new UserStore(_db.Database, TimeProvider.System).CreateUserAsync("spooler", "member", null, ct)).Id;
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    public static TheoryData<string> RecordKinds => ["started", "ended", "tokens", "tokens-unpriced", "prompt", "tool", "thought"];

    [Theory]
    [MemberData(nameof(RecordKinds))]
    public void Frame_EveryRecordType_RoundTrips(string kind)
    {
        var id = Guid.CreateVersion7();
        var at = new DateTimeOffset(2026, 3, 1, 10, 0, 0, 123, TimeSpan.FromHours(2));
        AuditRecord record = kind switch
        {
            "started" => new InterceptionStarted(id, at, Guid.NewGuid(), "openai", "openai", "gpt-5", "curl", null, "s-1", true, "{\"a\":1}"),
            "ended" => new InterceptionEnded(id, at, InterceptionStatus.Failed, "upstream said no ✗"),
            "tokens" => new TokenUsageRecorded(id, at, "resp_1", 1, 2, 3, 4, 5, """{"service_tier":"flex","priced_as":"standard"}""", 0.000123m)
            {
                CacheWrite1hTokens = 3,
                WebSearchRequests = 7,
            },
            "tokens-unpriced" => new TokenUsageRecorded(id, at, null, 1, 2, 3, 4, 5, "{}"),
            "prompt" => new PromptRecorded(id, at, new string('p', 70_000)),
            "tool" => new ToolUsageRecorded(id, at, "bmcp_x_read", "call_1", "{}", true, "https://mcp.example/", null, "timed out", 60_000),
            _ => new ThoughtRecorded(id, at, "hmm", "reasoning"),
        };
        var rowId = Guid.CreateVersion7();

        var frame = SpoolFrames.Encode(record, rowId);

        Assert.Equal(frame.Length, SpoolFrames.Measure(frame));
        Assert.Equal((record, rowId), SpoolFrames.Decode(frame, 0, frame.Length));
        Assert.Equal(0, SpoolFrames.Measure(frame.AsSpan(0, frame.Length - 1)));
    }

    [Fact]
    public async Task Replay_SegmentWithATornLastRecord_ReplaysUpToTheTear_LogsIt_RemovesTheSegment()
    {
        var ct = TestContext.Current.CancellationToken;
        var records = Interception();
        var segment = SpoolLeftBehind(records);
        using (var file = new FileStream(segment, FileMode.Open))
            file.SetLength(file.Length - 5);   // the last record, its end, half written

        using var spool = AuditSpool.Open(_folder, 1 << 20, fsync: false, NullLogger<AuditSpool>.Instance);
        var replayed = await AuditSpoolReplay.ReplayAsync(spool, new AuditStore(_db.Database), _logger, ct);

        Assert.Equal(records.Count - 1, replayed);
        Assert.Equal((1, InterceptionStatus.InProgress), (await Count("interceptions"), await Status()));
        Assert.Equal((1, 1), (await Count("prompts"), await Count("token_usages")));
        var tear = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.StartsWith($"Spool segment {segment} is torn at byte ", tear.Message, StringComparison.Ordinal);
        Assert.EndsWith($"replayed the {records.Count - 1} records before it", tear.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(segment));
    }

    [Fact]
    public async Task Replay_TheSameSegmentTwice_LandsOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var records = Interception();
        var segment = SpoolLeftBehind(records);
        var copy = segment + ".copy";
        File.Copy(segment, copy);

        foreach (var again in new[] { true, false })
        {
            using (var spool = AuditSpool.Open(_folder, 1 << 20, fsync: false, NullLogger<AuditSpool>.Instance))
                Assert.Equal(records.Count, await AuditSpoolReplay.ReplayAsync(spool, new AuditStore(_db.Database), _logger, ct));
            if (again)
                File.Move(copy, segment);
        }

        Assert.Equal((1, 1, 1), (await Count("interceptions"), await Count("prompts"), await Count("token_usages")));
        Assert.Equal(InterceptionStatus.Completed, await Status());
    }

    [Fact]
    public void Queue_PastItsMemoryBounds_SpillsToTheSpool_ReadsBackInOrder_ThenQueuesInMemoryAgain()
    {
        using var spool = AuditSpool.Open(_folder, 1 << 20, fsync: false, NullLogger<AuditSpool>.Instance);
        var queue = new AuditQueue(2, 64L << 20, structuredLogging: false, NullLogger<AuditQueue>.Instance, spool);
        var prompts = Enumerable.Range(0, 5).Select(i => new PromptRecorded(Guid.CreateVersion7(), _at, "p" + i)).ToList();
        foreach (var prompt in prompts)
            queue.Record(prompt);
        var batch = new List<QueuedRecord>();

        while (queue.Reader.TryRead(out var queued))
            batch.Add(queued);
        Assert.Equal(prompts[..2], batch.ConvertAll(q => q.Record));
        Assert.True(queue.TakeSpilled(batch, 100));
        Assert.Equal(prompts, batch.ConvertAll(q => q.Record));
        Assert.Equal(5, queue.Depth);
        queue.Committed(batch);
        var after = new PromptRecorded(Guid.CreateVersion7(), _at, "after");
        queue.Record(after);

        Assert.True(queue.Reader.TryRead(out var inMemory));
        Assert.Equal(after, inMemory.Record);
        Assert.False(queue.TakeSpilled(batch, 100));
        Assert.Equal(1, queue.Depth);
    }

    [Fact]
    public async Task Queue_RecordsMadeAtOneMoment_AreSpooledTogether_QueuedOneByOne_AndReplayEach()
    {
        var ct = TestContext.Current.CancellationToken;
        var records = Interception();
        using (var spool = AuditSpool.Open(_folder, 1 << 20, fsync: false, NullLogger<AuditSpool>.Instance))
        {
            var queue = new AuditQueue(100, 64L << 20, structuredLogging: false, NullLogger<AuditQueue>.Instance, spool);
            queue.Record(records[0], records[1]);
            queue.Record(records[2], records[3]);

            var queued = new List<QueuedRecord>();
            while (queue.Reader.TryRead(out var one))
                queued.Add(one);
            Assert.Equal(records, queued.ConvertAll(q => q.Record));
            Assert.All(queued, q => Assert.Equal(queued[0].Segment, q.Segment));
            Assert.Equal(queued.ConvertAll(q => q.SpoolBytes), queued.ConvertAll(q => SpoolFrames.Encode(q.Record, q.RowId).Length));
            Assert.Equal(queued.Sum(q => (long)q.SpoolBytes), spool.Bytes);
            Assert.Equal(spool.Bytes, spool.End.Offset);
        }   // none committed: what a run that died leaves

        using var reopened = AuditSpool.Open(_folder, 1 << 20, fsync: false, NullLogger<AuditSpool>.Instance);
        Assert.Equal(records.Count, await AuditSpoolReplay.ReplayAsync(reopened, new AuditStore(_db.Database), _logger, ct));
        Assert.Equal((1, 1, 1), (await Count("interceptions"), await Count("prompts"), await Count("token_usages")));
        Assert.Equal(InterceptionStatus.Completed, await Status());
    }

    [Fact]
    public void Segment_AllOfItsRecordsCommitted_IsDeletedOnceNoLongerWritten_TheBytesGoDown()
    {
        using var spool = AuditSpool.Open(_folder, 1 << 30, fsync: true, NullLogger<AuditSpool>.Instance);
        var frame = SpoolFrames.Encode(new PromptRecorded(Guid.CreateVersion7(), _at, new string('x', 1 << 20)), Guid.CreateVersion7());
        var positions = Enumerable.Range(0, 20).Select(_ => spool.Append([frame])).ToList();
        spool.Sync();

        Assert.Equal(2, spool.SegmentCount);
        Assert.Equal(20L * frame.Length, spool.Bytes);
        var first = positions.Count(p => p.Segment == positions[0].Segment);
        spool.Committed(positions[0].Segment, first, (long)first * frame.Length);

        Assert.Equal(1, spool.SegmentCount);
        Assert.Single(Directory.GetFiles(_folder, "*.seg"));
        Assert.Equal((20L - first) * frame.Length, spool.Bytes);
    }

    [Fact]
    public void Open_AFolderAnotherGatewayHolds_Throws()
    {
        using var spool = AuditSpool.Open(_folder, 1 << 20, fsync: false, NullLogger<AuditSpool>.Instance);

        Assert.ThrowsAny<IOException>(() => AuditSpool.Open(_folder, 1 << 20, fsync: false, NullLogger<AuditSpool>.Instance));
    }

    private List<AuditRecord> Interception()
    {
        var id = Guid.CreateVersion7(_at);
        return
        [
            new InterceptionStarted(id, _at, _userId, "openai", "openai", "gpt-5", "curl", null, null, false, "{}"),
            new PromptRecorded(id, _at, "hello"),
            new TokenUsageRecorded(id, _at.AddSeconds(1), "resp_1", 10, 2, 0, 0, 0, "{}"),
            new InterceptionEnded(id, _at.AddSeconds(1), InterceptionStatus.Completed, null),
        ];
    }

    /// <summary>A segment as a run that died left it: every record appended, none committed.</summary>
    private string SpoolLeftBehind(List<AuditRecord> records)
    {
        using (var spool = AuditSpool.Open(_folder, 1 << 20, fsync: false, NullLogger<AuditSpool>.Instance))
            foreach (var record in records)
                spool.Append([SpoolFrames.Encode(record, record is InterceptionStarted or InterceptionEnded ? Guid.Empty : Guid.CreateVersion7(record.At))]);
        return Assert.Single(Directory.GetFiles(_folder, "*.seg"));
    }

    private async Task<long> Count(string table)
    {
        await using var connection = await _db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<string?> Status()
    {
        await using var connection = await _db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status FROM interceptions";   // the one there is
        return (string?)await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
