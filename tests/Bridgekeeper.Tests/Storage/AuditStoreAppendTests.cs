using System.Data.Common;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Storage;

public sealed class AuditStoreAppendTests
{
    [Fact]
    public async Task AppendAsync_EveryRecordKind_GetAsyncReturnsExactValues()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync("alice", Roles.Member, null, ct);
        var store = new AuditStore(temp.Database);
        var id = Guid.CreateVersion7(T0);

        await store.AppendAsync(
        [
            new InterceptionStarted(id, T0, alice.Id, "work-claude", "anthropic", "claude-sonnet-4-5", "Claude Code", "claude-cli/2.0.1",
                "sess-1", true, """{"user_id":"u1"}"""),
            new PromptRecorded(id, T0.AddMilliseconds(1), "fix the bug"),
            new ThoughtRecorded(id, T0.AddMilliseconds(2), "Let me look.", "thinking"),
            new ToolUsageRecorded(id, T0.AddMilliseconds(3), "bmcp_github_search", "toolu_1", """{"q":"x"}""", true,
                "https://mcp.example/mcp", "found", null, 1234),
            new ToolUsageRecorded(id, T0.AddMilliseconds(4), "Read", null, "{}", false, null, null, "denied"),
            new TokenUsageRecorded(id, T0.AddMilliseconds(5), "msg_1", 10, 20, 30, 40, 5, """{"service_tier":"standard"}"""),
            new InterceptionEnded(id, T0.AddSeconds(2), InterceptionStatus.Failed, "upstream_timeout"),
        ], ct);
        var view = await store.GetAsync(id, null, ct);

        Assert.NotNull(view);
        Assert.Equal(id, view.Id);
        Assert.Equal(new UserRef(alice.Id, "alice"), view.User);
        Assert.Equal(("work-claude", "anthropic", "claude-sonnet-4-5", "Claude Code"), (view.Provider, view.ProviderType, view.Model, view.Client));
        Assert.Equal(("claude-cli/2.0.1", "sess-1", true), (view.UserAgent, view.SessionId, view.Streaming));
        Assert.Equal((InterceptionStatus.Failed, "upstream_timeout"), (view.Status, view.Error));
        Assert.Equal(T0, view.StartedAt);
        Assert.Equal(T0.AddSeconds(2), view.EndedAt);
        Assert.Equal("""{"user_id":"u1"}""", view.Metadata.GetRawText());
        Assert.Null(view.CostUsd);
        Assert.Equal([new PromptView("fix the bug", T0.AddMilliseconds(1))], view.Prompts);
        Assert.Equal([new ThoughtView("Let me look.", "thinking", T0.AddMilliseconds(2))], view.Thoughts);
        Assert.Equal(
        [
            new ToolUsageView("bmcp_github_search", "toolu_1", """{"q":"x"}""", true, "https://mcp.example/mcp", "found", null, 1234, T0.AddMilliseconds(3)),
            new ToolUsageView("Read", null, "{}", false, null, null, "denied", null, T0.AddMilliseconds(4)),
        ], view.ToolUsages);
        var tokens = Assert.Single(view.TokenUsages);
        Assert.Equal(("msg_1", 10L, 20L, 30L, 40L, 5L), (tokens.ResponseId, tokens.InputTokens, tokens.OutputTokens, tokens.CacheReadTokens,
            tokens.CacheWriteTokens, tokens.ReasoningTokens));
        Assert.Equal("""{"service_tier":"standard"}""", tokens.Extra.GetRawText());
        Assert.Equal(T0.AddMilliseconds(5), tokens.CreatedAt);
    }

    [Fact]
    public async Task AppendAsync_StartedOnly_IsInProgressWithoutChildren()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var started = Started(Guid.NewGuid(), T0);

        await store.AppendAsync([started], ct);
        var view = await store.GetAsync(started.InterceptionId, null, ct);

        Assert.NotNull(view);
        Assert.Equal(InterceptionStatus.InProgress, view.Status);
        Assert.Null(view.EndedAt);
        Assert.Null(view.User.Name);
        Assert.Empty(view.Prompts);
        Assert.Empty(view.TokenUsages);
        Assert.Empty(view.ToolUsages);
        Assert.Empty(view.Thoughts);
    }

    [Fact]
    public async Task AppendAsync_ChildOfMissingInterception_WritesNothingOfTheBatch()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var started = Started(Guid.NewGuid(), T0);
        AuditRecord[] batch =
        [
            started,
            Tokens(started.InterceptionId, T0, 1, 2),
            new PromptRecorded(Guid.CreateVersion7(T0), T0, "orphan"),
        ];

        await Assert.ThrowsAnyAsync<DbException>(() => store.AppendAsync(batch, ct));

        Assert.Null(await store.GetAsync(started.InterceptionId, null, ct));
        Assert.Empty((await store.ListAsync(new InterceptionQuery(), ct)).Interceptions);
        Assert.Empty(await store.UsageAsync(new UsageQuery(UsageGroups.User), ct));
    }

    [Fact]
    public async Task AppendAsync_StartedRecordRepeated_KeepsOneInterception()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var started = Started(Guid.NewGuid(), T0);
        AuditRecord[] batch = [started, Tokens(started.InterceptionId, T0, 7, 8), Ended(started.InterceptionId, T0.AddSeconds(1))];

        await store.AppendAsync([started], ct);
        await store.AppendAsync(batch, ct);

        var view = Assert.Single((await store.ListAsync(new InterceptionQuery(), ct)).Interceptions);
        Assert.Equal(InterceptionStatus.Completed, view.Status);
        Assert.Equal(7, Assert.Single(view.TokenUsages).InputTokens);
    }

    [Fact]
    public async Task AppendAsync_BatchRetriedAfterItCommitted_LandsOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var started = Started(Guid.NewGuid(), T0);
        var batch = AuditBatch.Shape(
        [
            started, new PromptRecorded(started.InterceptionId, T0, "p"), Tokens(started.InterceptionId, T0, 4, 5),
            new ToolUsageRecorded(started.InterceptionId, T0, "Read", "c1", "{}", true, "http://mcp", "ok", null, 12),
            new ThoughtRecorded(started.InterceptionId, T0, "t", "thinking"), Ended(started.InterceptionId, T0.AddSeconds(1)),
        ]);   // the writer shapes a batch once and retries it as shaped

        await store.AppendAsync(batch, ct);
        await store.AppendAsync(batch, ct);   // the acknowledgement of the first commit was "lost"

        var view = Assert.Single((await store.ListAsync(new InterceptionQuery(), ct)).Interceptions);
        Assert.Equal(InterceptionStatus.Completed, view.Status);
        Assert.Equal((1, 1, 1, 1), (view.Prompts.Count, view.TokenUsages.Count, view.ToolUsages.Count, view.Thoughts.Count));
        Assert.Equal(12, view.ToolUsages[0].DurationMs);
    }

    [Fact]
    public async Task AppendAsync_EndInALaterBatch_UpdatesTheStartedRow()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var started = Started(Guid.NewGuid(), T0);

        await store.AppendAsync([started, new PromptRecorded(started.InterceptionId, T0, "p")], ct);
        var during = await store.GetAsync(started.InterceptionId, null, ct);
        await store.AppendAsync([Tokens(started.InterceptionId, T0, 3, 4),
            new InterceptionEnded(started.InterceptionId, T0.AddSeconds(3), InterceptionStatus.Failed, "upstream_timeout")], ct);
        var after = await store.GetAsync(started.InterceptionId, null, ct);

        Assert.Equal((InterceptionStatus.InProgress, (DateTimeOffset?)null), (during!.Status, during.EndedAt));
        Assert.Equal((InterceptionStatus.Failed, "upstream_timeout", (DateTimeOffset?)T0.AddSeconds(3)), (after!.Status, after.Error, after.EndedAt));
        Assert.Equal(3, Assert.Single(after.TokenUsages).InputTokens);
        Assert.Equal("p", Assert.Single(after.Prompts).Prompt);
    }
}
