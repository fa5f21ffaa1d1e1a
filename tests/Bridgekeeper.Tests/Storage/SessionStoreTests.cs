using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Storage;

/// <summary>
/// Sessions on a real database (SQLite, or PostgreSQL when the suite runs on it): the interceptions of one user with one
/// session id are one session, with exact totals, paged newest-started first by a cursor that holds while the session
/// grows, filtered and scoped like interceptions, and read back as a thread, oldest first.
/// </summary>
public sealed class SessionStoreTests : IAsyncLifetime
{
    private TempDatabase _db = null!;
    private AuditStore _audit = null!;
    private SessionStore _sessions = null!;
    private Guid _alice;
    private Guid _bob;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _db = await TempDatabase.CreateAsync(ct);
        _audit = new AuditStore(_db.Database);
        _sessions = new SessionStore(_db.Database);
        var users = new UserStore(_db.Database, TimeProvider.System);
        _alice = (await users.CreateUserAsync("alice", Roles.Member, null, ct)).Id;
        _bob = (await users.CreateUserAsync("bob", Roles.Member, null, ct)).Id;
    }

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task List_GroupsByUserAndSessionId_ExactTotals_NewestStartedFirst_NoSessionStandsAlone()
    {
        var ct = TestContext.Current.CancellationToken;
        await SeedAsync(ct);

        var page = await _sessions.ListAsync(new InterceptionQuery(), ct);

        Assert.Null(page.NextCursor);
        Assert.Equal([("s-b", "alice"), ("s-a", "bob"), ("s-a", "alice")], page.Sessions.Select(s => (s.Id, s.User.Name!)));
        var a = page.Sessions[2];
        Assert.Equal(("Claude Code", 3L, 1L), (a.Client, a.Interceptions, a.FailedInterceptions));
        Assert.Equal((10L + 30 + 5, 20L + 40 + 6, 1L + 2, 4L, 3L), (a.InputTokens, a.OutputTokens, a.CacheReadTokens, a.CacheWriteTokens, a.ReasoningTokens));
        Assert.Equal((0.5m + 0.25m, 1L), (a.CostUsd, a.UnpricedInterceptions));
        Assert.Equal((3L, 2L), (a.ToolCalls, a.InjectedToolCalls));
        Assert.Equal((T0, T0.AddMinutes(2).AddSeconds(3)), (a.FirstAt, a.LastAt));
        var b = page.Sessions[0];
        Assert.Equal(("Codex", 1L, 0L, 0L, 0m, 0L), (b.Client, b.Interceptions, b.InputTokens, b.ToolCalls, b.CostUsd, b.UnpricedInterceptions));
    }

    [Fact]
    public async Task List_Cursor_PagesEverySessionOnce_EvenWhileAnOlderSessionGrows()
    {
        var ct = TestContext.Current.CancellationToken;
        await SeedAsync(ct);

        var first = await _sessions.ListAsync(new InterceptionQuery { Limit = 2 }, ct);
        await AppendAsync(Interception(_alice, "s-a", T0.AddMinutes(10), "Claude Code", []));   // the oldest session gets a new interception
        var second = await _sessions.ListAsync(new InterceptionQuery { Limit = 2, Cursor = first.NextCursor }, ct);

        Assert.Equal([("s-b", "alice"), ("s-a", "bob")], first.Sessions.Select(s => (s.Id, s.User.Name!)));
        Assert.NotNull(first.NextCursor);
        var last = Assert.Single(second.Sessions);
        Assert.Equal(("s-a", "alice", 4L), (last.Id, last.User.Name!, last.Interceptions));
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task List_FiltersAndScope_CountOnlyTheMatchingInterceptions()
    {
        var ct = TestContext.Current.CancellationToken;
        await SeedAsync(ct);

        var sonnet = await _sessions.ListAsync(new InterceptionQuery { Model = "claude-sonnet-4-5" }, ct);
        var bobs = await _sessions.ListAsync(new InterceptionQuery { OnlyUserId = _bob }, ct);

        var only = Assert.Single(sonnet.Sessions);
        Assert.Equal(("s-a", "alice", 1L, 5L, 1L), (only.Id, only.User.Name!, only.Interceptions, only.InputTokens, only.FailedInterceptions));
        Assert.Equal(("s-a", "bob"), (Assert.Single(bobs.Sessions).Id, bobs.Sessions[0].User.Name!));
    }

    [Fact]
    public async Task Get_TheThreadOldestFirst_PagedAfterTheCursor_ScopedToTheCaller()
    {
        var ct = TestContext.Current.CancellationToken;
        var ids = await SeedAsync(ct);

        var whole = await _sessions.GetAsync("s-a", new InterceptionQuery { User = "alice" }, ct);
        var firstTwo = await _sessions.GetAsync("s-a", new InterceptionQuery { OnlyUserId = _alice, Limit = 2 }, ct);
        var rest = await _sessions.GetAsync("s-a", new InterceptionQuery { OnlyUserId = _alice, Limit = 2, Cursor = InterceptionCursor.Format(ids[1]) }, ct);
        var both = await _sessions.GetAsync("s-a", new InterceptionQuery(), ct);
        var bobsView = await _sessions.GetAsync("s-b", new InterceptionQuery { OnlyUserId = _bob }, ct);

        Assert.Equal(ids, whole!.Value.Thread.Rows.Select(r => r.Id));
        Assert.Equal(3, whole.Value.Session.Interceptions);
        Assert.Equal(ids[..2], firstTwo!.Value.Thread.Rows.Select(r => r.Id));
        Assert.True(firstTwo.Value.Thread.More);
        Assert.Equal(ids[2..], rest!.Value.Thread.Rows.Select(r => r.Id));
        Assert.False(rest.Value.Thread.More);
        Assert.Equal(("alice", 4L, 45L + 100), (both!.Value.Session.User.Name!, both.Value.Session.Interceptions, both.Value.Session.InputTokens));
        Assert.Null(bobsView);
        Assert.Null(await _sessions.GetAsync("no-such-session", new InterceptionQuery(), ct));
    }

    /// <summary>
    /// alice's session s-a: three interceptions two minutes apart (tokens, a client and two injected tool calls, one
    /// unpriced token row, one failed); bob's s-a (the same id, his own session) and alice's s-b, both later; one
    /// interception without a session. Returns the ids of alice's s-a, oldest first.
    /// </summary>
    private async Task<Guid[]> SeedAsync(CancellationToken ct)
    {
        var one = Interception(_alice, "s-a", T0, "Claude Code", [Tokens(default, T0, 10, 20, cacheRead: 1, cacheWrite: 4, reasoning: 3, cost: 0.5m)]);
        var two = Interception(_alice, "s-a", T0.AddMinutes(1), "Claude Code",
            [Tokens(default, T0.AddMinutes(1), 30, 40, cacheRead: 2, cost: 0.25m), Tool(false), Tool(true), Tool(true)]);
        var three = Interception(_alice, "s-a", T0.AddMinutes(2), "Claude Code", [Tokens(default, T0.AddMinutes(2), 5, 6)], failed: true,
            model: "claude-sonnet-4-5");
        await AppendAsync(one, two, three,
            Interception(_bob, "s-a", T0.AddMinutes(3), "Claude Code", [Tokens(default, T0.AddMinutes(3), 100, 1)]),
            Interception(_alice, null, T0.AddMinutes(4), "curl", []),
            Interception(_alice, "s-b", T0.AddMinutes(5), "Codex", []));
        return [one[0].InterceptionId, two[0].InterceptionId, three[0].InterceptionId];
    }

    private Task AppendAsync(params List<AuditRecord>[] interceptions) =>
        _audit.AppendAsync([.. interceptions.SelectMany(i => i)], TestContext.Current.CancellationToken);

    /// <summary>An interception with these children (their interception id is replaced), ended 3 s after it started.</summary>
    private static List<AuditRecord> Interception(Guid user, string? session, DateTimeOffset at, string client, AuditRecord[] children,
        bool failed = false, string model = "claude-opus-4-5")
    {
        var started = Started(user, at, "anthropic", model, client) with { SessionId = session };
        var id = started.InterceptionId;
        return
        [
            started,
            .. children.Select(c => c with { InterceptionId = id }),
            failed ? new InterceptionEnded(id, at.AddSeconds(3), InterceptionStatus.Failed, "upstream said no") : Ended(id, at.AddSeconds(3)),
        ];
    }

    private static ToolUsageRecorded Tool(bool injected) =>
        new(default, T0.AddMinutes(1), injected ? "bmcp_docs_search" : "Bash", "call_1", "{}", injected, injected ? "http://mcp.local/" : null,
            injected ? "found" : null, null);
}
