using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Storage;

public sealed class AuditStoreUsageTests
{
    /// <summary>
    /// Expected rows as <c>key:interceptions:input:output:cache_read:cache_write:reasoning:cost_usd:unpriced</c>, separated
    /// by <c>|</c>; an empty cost is null. The claude rows are unpriced, so their groups have no cost and count one unpriced.
    /// </summary>
    [Theory]
    [InlineData(UsageGroups.User, "alice:2:115:226:11:22:4:0.000321:1|bob:1:0:0:0:0:0:0:0")]
    [InlineData(UsageGroups.Day, "2026-03-01:1:15:26:1:2:4:0.000321:0|2026-03-02:2:100:200:10:20:0::1")]
    [InlineData(UsageGroups.Model, "claude-sonnet-4-5:1:100:200:10:20:0::1|gpt-5:2:15:26:1:2:4:0.000321:0")]
    [InlineData(UsageGroups.Provider, "anthropic:1:100:200:10:20:0::1|openai:2:15:26:1:2:4:0.000321:0")]
    [InlineData(UsageGroups.Client, "Claude Code:1:100:200:10:20:0::1|Codex:2:15:26:1:2:4:0.000321:0")]
    public async Task UsageAsync_GroupBy_SumsExactlyAndCountsInterceptionsWithoutTokens(string groupBy, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var (store, _) = await SeedAsync(temp, ct);

        var rows = await store.UsageAsync(new UsageQuery(groupBy), ct);

        Assert.Equal(expected.Split('|').Select(Row), rows);
    }

    [Fact]
    public async Task UsageAsync_OnlyUserAndSince_SumsOnlyThatScope()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var (store, alice) = await SeedAsync(temp, ct);

        var rows = await store.UsageAsync(new UsageQuery(UsageGroups.Provider, Since: T0.AddHours(1), OnlyUserId: alice), ct);

        Assert.Equal([new UsageRow("anthropic", 1, 100, 200, 10, 20, 0, null, 1)], rows);
    }

    [Fact]
    public async Task UsageAsync_UnknownGroup_Throws()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);

        await Assert.ThrowsAsync<ArgumentException>(() => new AuditStore(temp.Database).UsageAsync(new UsageQuery("week"), ct));
    }

    /// <summary>
    /// alice: i1 (openai gpt-5 Codex, 2026-03-01) with two priced token rows, i2 (anthropic claude Claude Code, 2026-03-02) with one unpriced;
    /// bob: i3 (openai gpt-5 Codex, 2026-03-02) with none.
    /// </summary>
    private static async Task<(AuditStore Store, Guid Alice)> SeedAsync(TempDatabase temp, CancellationToken ct)
    {
        var users = new UserStore(temp.Database, TimeProvider.System);
        var alice = await users.CreateUserAsync("alice", Roles.Member, null, ct);
        var bob = await users.CreateUserAsync("bob", Roles.Member, null, ct);
        var i1 = Started(alice.Id, T0);
        var i2 = Started(alice.Id, T0.AddDays(1), "anthropic", "claude-sonnet-4-5", "Claude Code");
        var i3 = Started(bob.Id, T0.AddDays(1).AddHours(1));
        var store = new AuditStore(temp.Database);
        await store.AppendAsync(
        [
            i1, Tokens(i1.InterceptionId, T0, 10, 20, 1, 2, 3, cost: 0.0003m), Tokens(i1.InterceptionId, T0.AddSeconds(1), 5, 6, 0, 0, 1, cost: 0.000021m),
            i2, Tokens(i2.InterceptionId, T0.AddDays(1), 100, 200, 10, 20),
            i3, Ended(i3.InterceptionId, T0.AddDays(1).AddHours(1)),
        ], ct);
        return (store, alice.Id);
    }

    private static UsageRow Row(string text)
    {
        var parts = text.Split(':');
        var n = parts[1..7].Select(long.Parse).ToArray();
        decimal? cost = parts[7].Length == 0 ? null : decimal.Parse(parts[7], System.Globalization.CultureInfo.InvariantCulture);
        return new UsageRow(parts[0], n[0], n[1], n[2], n[3], n[4], n[5], cost, long.Parse(parts[8], System.Globalization.CultureInfo.InvariantCulture));
    }
}
