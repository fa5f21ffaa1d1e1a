using Bridgekeeper.Storage;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Storage;

/// <summary>
/// The batch writers on either database (PostgreSQL: binary COPY, and the idempotent statements it falls back to when a
/// row exists already): exact values for every column type, a retried batch landing once, ends applied.
/// </summary>
public sealed class AuditBatchWriteTests
{
    [Fact]
    public void Shape_EveryRecordKind_WritesValuesInTheTablesColumnTypes()
    {
        var id = Guid.CreateVersion7(T0);
        var batch = AuditBatch.Shape(
        [
            Started(id, T0), new PromptRecorded(id, T0, "p"), Tokens(id, T0, 1, 2, cost: 0.5m),
            new ToolUsageRecorded(id, T0, "Read", null, "{}", false, null, null, null), new ThoughtRecorded(id, T0, "t", "thinking"),
            Ended(Guid.CreateVersion7(T0), T0),
        ]);

        foreach (var rows in batch.Inserts.Append(batch.EndedInterceptions))
        {
            var types = new TypeRecorder();
            Assert.Equal(1, rows.Count);
            rows.Write(0, types);
            Assert.Equal(rows.Table.Columns.Select(c => c.Type), types.Types);
        }
    }

    [Fact]
    public async Task AppendAsync_EveryColumnType_RoundTripsExactly()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var at = T0.AddTicks(1_234_560);   // microseconds, the precision both databases keep
        var id = Guid.CreateVersion7(at);
        var userId = new Guid("ffffffff-ffff-7fff-bfff-ffffffffffff");
        var unicode = "Grüße, 世界 👋🏽 e\u0301 \"quoted\" 'single' \\ tab\tnewline\n";
        var longText = string.Concat(Enumerable.Repeat(unicode, 4_000));   // ~200 KB of UTF-8, no NUL

        await store.AppendAsync(
        [
            new InterceptionStarted(id, at, userId, unicode, "openai", "gpt-5", "Codex", null, null, false, """{"k":"ü"}"""),
            new PromptRecorded(id, at.AddTicks(10), longText),
            new TokenUsageRecorded(id, at.AddTicks(20), null, long.MaxValue, 0, 1L << 40, 7, 9, "{}", 12345.0123456789m),
            new TokenUsageRecorded(id, at.AddTicks(30), "resp_2", 1, 2, 3, 4, 5, "{}"),
            new ToolUsageRecorded(id, at.AddTicks(40), "bmcp_x", null, unicode, true, null, null, null, null),
            new ToolUsageRecorded(id, at.AddTicks(50), "Read", "c1", "{}", false, "https://mcp.example/mcp", longText, unicode, 0),
            new ThoughtRecorded(id, at.AddTicks(60), unicode, "reasoning"),
            new InterceptionEnded(id, at.AddSeconds(1).AddTicks(70), InterceptionStatus.Canceled, null),
        ], ct);
        var view = await store.GetAsync(id, null, ct);

        Assert.NotNull(view);
        Assert.Equal((id, userId, unicode, false), (view.Id, view.User.Id, view.Provider, view.Streaming));
        Assert.Equal(((string?)null, (string?)null), (view.UserAgent, view.SessionId));
        Assert.Equal((InterceptionStatus.Canceled, (string?)null), (view.Status, view.Error));
        Assert.Equal((at, (DateTimeOffset?)at.AddSeconds(1).AddTicks(70)), (view.StartedAt, view.EndedAt));
        Assert.Equal("""{"k":"ü"}""", view.Metadata.GetRawText());
        Assert.Equal(longText, Assert.Single(view.Prompts).Prompt);
        Assert.Equal(at.AddTicks(10), view.Prompts[0].CreatedAt);
        Assert.Equal(
            new (string?, long, long, long, long, long, decimal?)[] { (null, long.MaxValue, 0, 1L << 40, 7, 9, 12345.0123456789m), ("resp_2", 1, 2, 3, 4, 5, null) },
            view.TokenUsages.Select(t => (t.ResponseId, t.InputTokens, t.OutputTokens, t.CacheReadTokens, t.CacheWriteTokens, t.ReasoningTokens, t.CostUsd)));
        Assert.Equal(
        [
            new ToolUsageView("bmcp_x", null, unicode, true, null, null, null, null, at.AddTicks(40)),
            new ToolUsageView("Read", "c1", "{}", false, "https://mcp.example/mcp", longText, unicode, 0, at.AddTicks(50)),
        ], view.ToolUsages);
        Assert.Equal([new ThoughtView(unicode, "reasoning", at.AddTicks(60))], view.Thoughts);
    }

    [Fact]
    public async Task AppendAsync_ShapedBatchWrittenTwice_EveryTableHoldsItOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var records = new List<AuditRecord>();
        for (var i = 0; i < 300; i++)   // large enough to span COPY buffers
        {
            var started = Started(Guid.NewGuid(), T0.AddMilliseconds(i));
            records.AddRange([started, new PromptRecorded(started.InterceptionId, T0, $"p{i}"), Tokens(started.InterceptionId, T0, i, 1),
                new ToolUsageRecorded(started.InterceptionId, T0, "Read", $"c{i}", "{}", true, "http://mcp", "ok", null, i),
                new ThoughtRecorded(started.InterceptionId, T0, "t", "thinking"), Ended(started.InterceptionId, T0.AddSeconds(1))]);
        }
        var batch = AuditBatch.Shape(records);

        await store.AppendAsync(batch, ct);
        await store.AppendAsync(batch, ct);   // a retry after a commit whose acknowledgement was lost

        foreach (var table in new[] { "interceptions", "prompts", "token_usages", "tool_usages", "thoughts" })
            Assert.Equal(300, await CountAsync(temp.Database, table, ct));
        Assert.Equal(300, await CountAsync(temp.Database, $"interceptions WHERE status = '{InterceptionStatus.Completed}'", ct));
    }

    [Fact]
    public async Task AppendAsync_RepeatedStartWithNewRowsAndEnds_AppliesAllOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var a = Started(Guid.NewGuid(), T0);
        var b = Started(Guid.NewGuid(), T0.AddMilliseconds(1));
        var c = Started(Guid.NewGuid(), T0.AddMilliseconds(2));
        await store.AppendAsync([a, b], ct);

        // a's start again (with its end), b's end alone, c whole: on PostgreSQL the COPY meets a's row and falls back.
        await store.AppendAsync([a, new PromptRecorded(a.InterceptionId, T0, "pa"), Ended(a.InterceptionId, T0.AddSeconds(1)),
            new InterceptionEnded(b.InterceptionId, T0.AddSeconds(2), InterceptionStatus.Failed, "upstream_timeout"),
            c, Tokens(c.InterceptionId, T0, 3, 4), Ended(c.InterceptionId, T0.AddSeconds(3))], ct);

        var views = (await store.ListAsync(new InterceptionQuery(), ct)).Interceptions.ToDictionary(v => v.Id);
        Assert.Equal(3, views.Count);
        Assert.Equal((InterceptionStatus.Completed, (DateTimeOffset?)T0.AddSeconds(1), "pa"),
            (views[a.InterceptionId].Status, views[a.InterceptionId].EndedAt, Assert.Single(views[a.InterceptionId].Prompts).Prompt));
        Assert.Equal((InterceptionStatus.Failed, "upstream_timeout"), (views[b.InterceptionId].Status, views[b.InterceptionId].Error));
        Assert.Equal((InterceptionStatus.Completed, 3L), (views[c.InterceptionId].Status, Assert.Single(views[c.InterceptionId].TokenUsages).InputTokens));
    }

    [Fact]
    public async Task AppendAsync_EndsOfEarlierBatchesBesideNewInterceptions_UpdatesThem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var earlier = Enumerable.Range(0, 50).Select(i => Started(Guid.NewGuid(), T0.AddMilliseconds(i))).ToList();
        await store.AppendAsync(earlier, ct);
        var later = Started(Guid.NewGuid(), T0.AddSeconds(1));

        await store.AppendAsync([.. earlier.Select(s => Ended(s.InterceptionId, T0.AddSeconds(5))), later, Ended(later.InterceptionId, T0.AddSeconds(6))], ct);

        var views = (await store.ListAsync(new InterceptionQuery { Limit = 100 }, ct)).Interceptions;
        Assert.Equal(51, views.Count);
        Assert.All(views, v => Assert.Equal(InterceptionStatus.Completed, v.Status));
        Assert.Equal(T0.AddSeconds(6), views.Single(v => v.Id == later.InterceptionId).EndedAt);
        Assert.All(views.Where(v => v.Id != later.InterceptionId), v => Assert.Equal(T0.AddSeconds(5), v.EndedAt));
    }

    private static async Task<long> CountAsync(Database database, string from, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {from}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class TypeRecorder : IAuditValues
    {
        public List<AuditColumnType> Types { get; } = [];

        public void Uuid(Guid value) => Types.Add(AuditColumnType.Uuid);
        public void Text(string? value) => Types.Add(AuditColumnType.Text);
        public void Boolean(bool value) => Types.Add(AuditColumnType.Boolean);
        public void Bigint(long? value) => Types.Add(AuditColumnType.Bigint);
        public void Numeric(decimal? value) => Types.Add(AuditColumnType.Numeric);
        public void Timestamp(DateTimeOffset? value) => Types.Add(AuditColumnType.Timestamp);
    }
}
