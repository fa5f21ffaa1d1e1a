using System.Net;
using System.Text.Json;
using Bridgekeeper.Api;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Api;

/// <summary>
/// The streamed <c>GET /api/v1/interceptions</c> (<see cref="InterceptionPageResult"/>) gives exactly the bytes of the
/// whole page serialized at once, across chunk boundaries, and caps a page in bytes.
/// </summary>
public sealed class ApiInterceptionPageTests
{
    [Theory]
    [InlineData("", false)]
    [InlineData("?limit=1000", false)]
    [InlineData("?limit=49", false)]
    [InlineData("?limit=50", false)]
    [InlineData("?limit=51", false)]
    [InlineData("?limit=3", true)]
    [InlineData("?limit=100", true)]
    [InlineData("?user=alice&limit=1000", false)]
    [InlineData("?model=gpt-4o&limit=1000", false)]
    [InlineData("?provider=nobody", false)]
    public async Task Interceptions_StreamedBody_IsByteForByteTheWholePageSerialized(string query, bool secondPage)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (alice, _) = await host.CreateUserWithKeyAsync("alice", Roles.Member, ct);
        var (_, auditorKey) = await host.CreateUserWithKeyAsync("ann", Roles.Auditor, ct);
        await SeedVariedAsync(host, alice, ct);
        var client = host.Client(auditorKey);

        var path = "/api/v1/interceptions" + query;
        if (secondPage)
            path += "&cursor=" + (await ApiAssert.JsonAsync(await client.GetAsync(path, ct), HttpStatusCode.OK)).GetProperty("next_cursor").GetString();
        using var response = await client.GetAsync(path, ct);
        var streamed = await response.Content.ReadAsByteArrayAsync(ct);
        var expected = JsonSerializer.SerializeToUtf8Bytes(await host.Audit.ListAsync(Query(path), ct), ApiJsonContext.Default.InterceptionPage);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(streamed));
    }

    [Fact]
    public async Task Interceptions_Member_StreamedBodyIsTheirOwnPage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (alice, aliceKey) = await host.CreateUserWithKeyAsync("alice", Roles.Member, ct);
        await SeedVariedAsync(host, alice, ct);

        var streamed = await host.Client(aliceKey).GetByteArrayAsync("/api/v1/interceptions?limit=1000", ct);
        var expected = JsonSerializer.SerializeToUtf8Bytes(await host.Audit.ListAsync(new InterceptionQuery { Limit = 1000, OnlyUserId = alice }, ct),
            ApiJsonContext.Default.InterceptionPage);

        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(streamed));
        Assert.Equal(60, JsonDocument.Parse(streamed).RootElement.GetProperty("interceptions").GetArrayLength());
    }

    [Fact]
    public async Task Interceptions_FirstRowAloneOverTheCap_IsWrittenAloneWithACursorToTheRest()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (alice, key) = await host.CreateUserWithKeyAsync("alice", Roles.Admin, ct);
        var small = await AuditSeed.LargePromptsAsync(host.Audit, alice, 2, 1000, T0, ct);
        var huge = await AuditSeed.LargePromptsAsync(host.Audit, alice, 1, InterceptionPageResult.MaxPageBytes + 1000, T0.AddMinutes(1), ct);
        var client = host.Client(key);

        var first = await client.GetByteArrayAsync("/api/v1/interceptions?limit=10", ct);
        var firstPage = JsonDocument.Parse(first).RootElement;
        var second = JsonDocument.Parse(await client.GetByteArrayAsync($"/api/v1/interceptions?limit=10&cursor={firstPage.GetProperty("next_cursor").GetString()}", ct)).RootElement;

        Assert.True(first.Length > InterceptionPageResult.MaxPageBytes, $"page of {first.Length} bytes");
        Assert.Equal([huge[0].ToString()], Ids(firstPage));
        Assert.Equal(InterceptionCursor.Format(huge[0]), firstPage.GetProperty("next_cursor").GetString());
        Assert.Equal(AuditSeed.Prompt(0, InterceptionPageResult.MaxPageBytes + 1000),
            firstPage.GetProperty("interceptions")[0].GetProperty("prompts")[0].GetProperty("prompt").GetString());
        Assert.Equal([small[1].ToString(), small[0].ToString()], Ids(second));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task Interceptions_RowsPastTheCap_WaitForTheNextPageAndEachPageIsFull()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (alice, key) = await host.CreateUserWithKeyAsync("alice", Roles.Admin, ct);
        var ids = await AuditSeed.LargePromptsAsync(host.Audit, alice, 9, 2 * 1024 * 1024, T0, ct);   // about 3.5 MB of JSON each
        var client = host.Client(key);

        var pages = new List<(int Bytes, List<string> Ids)>();
        string? cursor = null;
        do
        {
            var bytes = await client.GetByteArrayAsync("/api/v1/interceptions?limit=9" + (cursor is null ? "" : "&cursor=" + cursor), ct);
            var page = JsonDocument.Parse(bytes).RootElement;
            pages.Add((bytes.Length, Ids(page)));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null && pages.Count < 20);

        var rowBytes = pages[0].Bytes / pages[0].Ids.Count;
        Assert.Equal(ids.Reverse().Select(id => id.ToString()), pages.SelectMany(p => p.Ids));
        Assert.InRange(pages.Count, 3, 9);
        Assert.All(pages, p => Assert.InRange(p.Bytes, 1, InterceptionPageResult.MaxPageBytes));
        Assert.All(pages.SkipLast(1), p => Assert.True(p.Bytes + rowBytes > InterceptionPageResult.MaxPageBytes, $"a page of {p.Bytes} bytes had room for another row"));
    }

    /// <summary>120 interceptions (more than two chunks): two users, models, every kind of child, escapes and non-ASCII.</summary>
    private static async Task SeedVariedAsync(ApiHost host, Guid alice, CancellationToken ct)
    {
        var bob = (await host.Users.CreateUserAsync("bob", Roles.Member, null, ct)).Id;
        var records = new List<AuditRecord>();
        for (var i = 0; i < 120; i++)
        {
            var at = T0.AddSeconds(i);
            var started = Started(i % 2 == 0 ? alice : bob, at, provider: i % 3 == 0 ? "anthropic" : "openai", model: i % 4 == 0 ? "gpt-4o" : "claude-sonnet-4-5");
            records.Add(started);
            var id = started.InterceptionId;
            if (i % 5 != 0)
                records.Add(new PromptRecorded(id, at, $"prompt {i}: \"quoted\" <b> naïve 漢字 \u0001 \\ end"));
            if (i % 3 != 0)
                records.Add(Tokens(id, at, input: 100 + i, output: i, cacheRead: i % 7, cost: i % 6 == 0 ? null : 0.000123m * i));
            if (i % 4 == 1)
                records.Add(new ToolUsageRecorded(id, at, "bmcp_docs_search", "call_" + i, "{\"q\":\"x\"}", true, "http://mcp.local", "result é", null, 12));
            if (i % 6 == 2)
                records.Add(new ThoughtRecorded(id, at, "thinking… " + i, "thinking"));
            if (i % 10 != 9)
                records.Add(new InterceptionEnded(id, at.AddSeconds(0.5), i % 8 == 0 ? InterceptionStatus.Failed : InterceptionStatus.Completed, i % 8 == 0 ? "upstream said \"no\"" : null));
        }
        await host.Audit.AppendAsync(records, ct);
    }

    private static InterceptionQuery Query(string path)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri("http://x" + path).Query);
        var error = AuditParameters.TryInterceptionQuery(name => query.TryGetValue(name, out var v) ? v.ToString() : null, DateTimeOffset.UtcNow, out var parsed);
        Assert.Null(error);
        return parsed;
    }

    private static List<string> Ids(JsonElement page) =>
        [.. page.GetProperty("interceptions").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];
}
