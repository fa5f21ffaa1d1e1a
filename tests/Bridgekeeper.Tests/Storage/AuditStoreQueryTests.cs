using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Storage;

public sealed class AuditStoreQueryTests
{
    [Theory]
    [InlineData("user=alice", "a2,a1")]
    [InlineData("provider=anthropic", "b1,a2")]
    [InlineData("model=gpt-5", "b2,a1")]
    [InlineData("client=Zed", "b1")]
    [InlineData("since=1", "b2,b1,a2")]
    [InlineData("until=2", "a2,a1")]
    [InlineData("since=1,until=3", "b1,a2")]
    [InlineData("only=bob", "b2,b1")]
    [InlineData("user=alice,only=bob", "")]
    [InlineData("user=nobody", "")]
    public async Task ListAsync_Filter_ReturnsMatchingNewestFirst(string filter, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var (store, ids, users) = await SeedFourAsync(temp, ct);
        var query = new InterceptionQuery();
        foreach (var part in filter.Split(','))
        {
            var (name, value) = (part.Split('=')[0], part.Split('=')[1]);
            query = name switch
            {
                "user" => query with { User = value },
                "provider" => query with { Provider = value },
                "model" => query with { Model = value },
                "client" => query with { Client = value },
                "since" => query with { Since = T0.AddHours(int.Parse(value)) },
                "until" => query with { Until = T0.AddHours(int.Parse(value)) },
                _ => query with { OnlyUserId = users[value] },
            };
        }

        var page = await store.ListAsync(query, ct);

        string[] names = expected.Length == 0 ? [] : expected.Split(',');
        Assert.Equal(names.Select(n => ids[n]), page.Interceptions.Select(i => i.Id));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task ListAsync_SevenRowsByThree_PagesThreeThreeOneWithoutDuplicatesOrNewRows()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var user = Guid.NewGuid();
        var rows = Enumerable.Range(0, 7).Select(i => Started(user, T0.AddSeconds(i))).ToList();
        await store.AppendAsync(rows, ct);

        var first = await store.ListAsync(new InterceptionQuery { Limit = 3 }, ct);
        var inserted = Started(user, T0.AddMinutes(5));
        await store.AppendAsync([inserted], ct);
        var second = await store.ListAsync(new InterceptionQuery { Limit = 3, Cursor = first.NextCursor }, ct);
        var third = await store.ListAsync(new InterceptionQuery { Limit = 3, Cursor = second.NextCursor }, ct);

        Assert.Equal([3, 3, 1], [first.Interceptions.Count, second.Interceptions.Count, third.Interceptions.Count]);
        Assert.NotNull(first.NextCursor);
        Assert.NotNull(second.NextCursor);
        Assert.Null(third.NextCursor);
        var seen = first.Interceptions.Concat(second.Interceptions).Concat(third.Interceptions).Select(i => i.Id).ToList();
        Assert.Equal(rows.Select(r => r.InterceptionId).Reverse(), seen);
        Assert.DoesNotContain(inserted.InterceptionId, seen);
    }

    [Fact]
    public async Task ListAsync_ExactlyOnePageOfRows_HasNoNextCursor()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        await store.AppendAsync([Started(Guid.NewGuid(), T0), Started(Guid.NewGuid(), T0.AddSeconds(1))], ct);

        var page = await store.ListAsync(new InterceptionQuery { Limit = 2 }, ct);

        Assert.Equal(2, page.Interceptions.Count);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task ListAsync_PageOfSeveral_LoadsEachInterceptionsOwnChildren()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var store = new AuditStore(temp.Database);
        var a = Started(Guid.NewGuid(), T0);
        var b = Started(Guid.NewGuid(), T0.AddSeconds(1));
        await store.AppendAsync([a, b, new PromptRecorded(a.InterceptionId, T0, "first"), new PromptRecorded(b.InterceptionId, T0, "second"),
            Tokens(b.InterceptionId, T0, 1, 2), Tokens(b.InterceptionId, T0.AddSeconds(1), 3, 4)], ct);

        var page = await store.ListAsync(new InterceptionQuery(), ct);

        Assert.Equal(["second", "first"], page.Interceptions.Select(i => Assert.Single(i.Prompts).Prompt));
        Assert.Equal([1L, 3L], page.Interceptions[0].TokenUsages.Select(t => t.InputTokens));
        Assert.Empty(page.Interceptions[1].TokenUsages);
    }

    [Fact]
    public async Task GetAsync_OtherUsersInterception_ReturnsNullForMember()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var (store, ids, users) = await SeedFourAsync(temp, ct);

        Assert.Null(await store.GetAsync(ids["b1"], users["alice"], ct));
        Assert.Equal(ids["a1"], (await store.GetAsync(ids["a1"], users["alice"], ct))?.Id);
        Assert.Equal(ids["b1"], (await store.GetAsync(ids["b1"], null, ct))?.Id);
        Assert.Null(await store.GetAsync(Guid.NewGuid(), null, ct));
    }

    /// <summary>alice: a1 (openai gpt-5 Codex, T0), a2 (anthropic claude Claude Code, T0+1h); bob: b1 (anthropic claude Zed, T0+2h), b2 (openai gpt-5 Codex, T0+3h).</summary>
    private static async Task<(AuditStore Store, Dictionary<string, Guid> Ids, Dictionary<string, Guid> Users)> SeedFourAsync(TempDatabase temp,
        CancellationToken ct)
    {
        var userStore = new UserStore(temp.Database, TimeProvider.System);
        var alice = await userStore.CreateUserAsync("alice", Roles.Member, null, ct);
        var bob = await userStore.CreateUserAsync("bob", Roles.Member, null, ct);
        var a1 = Started(alice.Id, T0);
        var a2 = Started(alice.Id, T0.AddHours(1), "anthropic", "claude-sonnet-4-5", "Claude Code");
        var b1 = Started(bob.Id, T0.AddHours(2), "anthropic", "claude-sonnet-4-5", "Zed");
        var b2 = Started(bob.Id, T0.AddHours(3));
        var store = new AuditStore(temp.Database);
        await store.AppendAsync([a1, a2, b1, b2], ct);
        return (store,
            new() { ["a1"] = a1.InterceptionId, ["a2"] = a2.InterceptionId, ["b1"] = b1.InterceptionId, ["b2"] = b2.InterceptionId },
            new() { ["alice"] = alice.Id, ["bob"] = bob.Id });
    }
}
