using System.Net;
using System.Text.Json;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Api;

public sealed class ApiAuditTests
{
    [Fact]
    public async Task Interceptions_Member_SeesOnlyOwnAndOthersByIdAre404()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (alice, aliceKey) = await host.CreateUserWithKeyAsync("alice", Roles.Member, ct);
        var (bob, _) = await host.CreateUserWithKeyAsync("bob", Roles.Member, ct);
        var mine = Started(alice, T0);
        var theirs = Started(bob, T0.AddSeconds(1));
        await host.Audit.AppendAsync([mine, theirs], ct);
        var client = host.Client(aliceKey);

        var list = await ApiAssert.JsonAsync(await client.GetAsync("/api/v1/interceptions", ct), HttpStatusCode.OK);
        var own = await ApiAssert.JsonAsync(await client.GetAsync($"/api/v1/interceptions/{mine.InterceptionId}", ct), HttpStatusCode.OK);
        using var other = await client.GetAsync($"/api/v1/interceptions/{theirs.InterceptionId}", ct);
        using var otherByName = await client.GetAsync("/api/v1/interceptions?user=bob", ct);

        Assert.Equal([mine.InterceptionId.ToString()], list.GetProperty("interceptions").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(JsonValueKind.Null, list.GetProperty("next_cursor").ValueKind);
        Assert.Equal(mine.InterceptionId.ToString(), own.GetProperty("id").GetString());
        await ApiAssert.ErrorAsync(other, HttpStatusCode.NotFound, "not_found");
        Assert.Empty((await ApiAssert.JsonAsync(otherByName, HttpStatusCode.OK)).GetProperty("interceptions").EnumerateArray());
    }

    [Fact]
    public async Task Interceptions_AuditorWithCursor_PagesThroughEveryone()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (_, key) = await host.CreateUserWithKeyAsync("eve", Roles.Auditor, ct);
        var rows = Enumerable.Range(0, 3).Select(i => Started(Guid.NewGuid(), T0.AddSeconds(i))).ToArray();
        await host.Audit.AppendAsync(rows, ct);
        var client = host.Client(key);

        var first = await ApiAssert.JsonAsync(await client.GetAsync("/api/v1/interceptions?limit=2", ct), HttpStatusCode.OK);
        var cursor = first.GetProperty("next_cursor").GetString();
        var second = await ApiAssert.JsonAsync(await client.GetAsync($"/api/v1/interceptions?limit=2&cursor={cursor}", ct), HttpStatusCode.OK);

        Assert.Equal(2, first.GetProperty("interceptions").GetArrayLength());
        Assert.Equal(rows[0].InterceptionId.ToString(), Assert.Single(second.GetProperty("interceptions").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task Interception_ById_HasSpecFieldNamesAndUtcTimestamps()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (alice, key) = await host.CreateUserWithKeyAsync("alice", Roles.Member, ct);
        var started = Started(alice, T0);
        await host.Audit.AppendAsync([started, Tokens(started.InterceptionId, T0.AddMilliseconds(250), 1, 2),
            new ToolUsageRecorded(started.InterceptionId, T0, "Read", "call_1", """{"path":"a"}""", false, null, null, null)], ct);

        var view = await ApiAssert.JsonAsync(await host.Client(key).GetAsync($"/api/v1/interceptions/{started.InterceptionId}", ct), HttpStatusCode.OK);

        Assert.Equal(
            ["id", "user", "provider", "provider_type", "model", "client", "user_agent", "session_id", "streaming", "status", "error",
                "started_at", "ended_at", "metadata", "prompts", "token_usages", "tool_usages", "thoughts", "cost_usd"],
            view.EnumerateObject().Select(p => p.Name));
        Assert.Equal("alice", view.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("2026-03-01T10:00:00Z", view.GetProperty("started_at").GetString());
        Assert.Equal(JsonValueKind.Object, view.GetProperty("metadata").ValueKind);
        var tokens = Assert.Single(view.GetProperty("token_usages").EnumerateArray());
        Assert.Equal("2026-03-01T10:00:00.25Z", tokens.GetProperty("created_at").GetString());
        Assert.Equal(JsonValueKind.Object, tokens.GetProperty("extra").ValueKind);
        Assert.Equal("""{"path":"a"}""", Assert.Single(view.GetProperty("tool_usages").EnumerateArray()).GetProperty("input").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("cost_usd").ValueKind);
    }

    [Fact]
    public async Task Usage_Member_SumsOnlyOwnRows()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (alice, key) = await host.CreateUserWithKeyAsync("alice", Roles.Member, ct);
        var mine = Started(alice, T0);
        var theirs = Started(Guid.NewGuid(), T0);
        await host.Audit.AppendAsync([mine, theirs, Tokens(mine.InterceptionId, T0, 3, 4), Tokens(theirs.InterceptionId, T0, 50, 60)], ct);

        var body = await ApiAssert.JsonAsync(await host.Client(key).GetAsync("/api/v1/usage?group_by=model&since=2026-03-01T00:00:00Z", ct),
            HttpStatusCode.OK);

        var row = Assert.Single(body.GetProperty("rows").EnumerateArray());
        Assert.Equal(("gpt-5", 1, 3, 4), (row.GetProperty("key").GetString(), row.GetProperty("interceptions").GetInt64(),
            row.GetProperty("input_tokens").GetInt64(), row.GetProperty("output_tokens").GetInt64()));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("cost_usd").ValueKind);
    }

    [Theory]
    [InlineData("/api/v1/interceptions?limit=0")]
    [InlineData("/api/v1/interceptions?limit=1001")]
    [InlineData("/api/v1/interceptions?limit=ten")]
    [InlineData("/api/v1/interceptions?since=yesterday")]
    [InlineData("/api/v1/interceptions?cursor=nope")]
    [InlineData("/api/v1/interceptions/not-a-guid")]
    [InlineData("/api/v1/usage?group_by=week")]
    [InlineData("/api/v1/usage?until=soon")]
    public async Task Get_BadParameter_Returns400InErrorShape(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (_, key) = await host.CreateUserWithKeyAsync("root", Roles.Admin, ct);

        using var response = await host.Client(key).GetAsync(path, ct);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "bad_request");
    }
}
