using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Spend;

/// <summary>
/// Budgets through the public surface: set with the REST API, applied by the provider routes (admission by reservation,
/// settled at the actual cost), refused over budget with a 429 in the provider's shape that says why and until when,
/// every refusal recorded, and the accounts shown to admins and, in /api/v1/me, to the member.
/// </summary>
public sealed class BudgetTests : GatewayTest
{
    private const string Messages = "/anthropic/v1/messages";

    /// <summary>What each request costs, and is estimated at (<see cref="SpendRequests"/>).</summary>
    private static readonly decimal RequestCost = SpendRequests.Cost(SpendRequests.Body("spend"));

    [Fact]
    public async Task UserBudget_AdmitsWhileBelow_RefusesOnceSpent_With429InTheProvidersShape_AndRecordsTheRefusal()
    {
        var ct = TestContext.Current.CancellationToken;
        var ann = await Gateway.CreateKeyAsync("ann");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        var budget = await CreateBudgetAsync(admin, new { user = "ann", usd = 2.5m * RequestCost, period = "day" });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
            statuses.Add((await SendAsync(ann)).StatusCode);
        using var refused = await SendAsync(ann);
        var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(ct)).RootElement;

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(("error", "rate_limit_error"), (body.GetProperty("type").GetString(), body.GetProperty("error").GetProperty("type").GetString()));
        var midnight = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"the daily budget of ${2.5m * RequestCost:0.00####} for user 'ann' is used up. It resets at {midnight:yyyy-MM-dd} 00:00 UTC"),
            body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var retryAfter = refused.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter, midnight - DateTimeOffset.UtcNow - TimeSpan.FromSeconds(5), midnight - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5));
        Assert.Equal(3, Upstream.Exchanges.Count);

        await Gateway.WaitForEndedAsync(expected: 4);
        var record = await Gateway.WaitForEndedAsync(i => i.GetProperty("status").GetString() == "failed");     // ids of one millisecond may list in any order
        Assert.StartsWith("budget_exceeded: Bridgekeeper refused this request: the daily budget", record.GetProperty("error").GetString(), StringComparison.Ordinal);
        var account = Assert.Single((await BudgetAsync(admin, budget)).GetProperty("current").EnumerateArray());
        Assert.Equal((3 * RequestCost, 0m, 0m), (account.GetProperty("spent_usd").GetDecimal(), account.GetProperty("reserved_usd").GetDecimal(),
            account.GetProperty("remaining_usd").GetDecimal()));
    }

    [Fact]
    public async Task GroupBudget_PooledIsSharedByItsMembers_PerMemberIsEachOnesOwn_KeyBudgetOnlyThatKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var bea = await Gateway.CreateKeyAsync("bea");
        var cal = await Gateway.CreateKeyAsync("cal");
        var calsOtherKey = await Gateway.CreateKeyAsync("cal");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        using var created = await admin.PostAsJsonAsync("/api/v1/groups", new { name = "team", members = new[] { "bea", "cal" } }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await CreateBudgetAsync(admin, new { group = "team", usd = 1.5m * RequestCost, period = "week" });

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(bea)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(cal)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(bea)).StatusCode);   // the pool is spent, by both

        using var dropped = await admin.DeleteAsync($"/api/v1/budgets/{(await ListBudgetsAsync(admin)).Single().GetProperty("id").GetString()}", ct);
        Assert.Equal(HttpStatusCode.NoContent, dropped.StatusCode);
        await CreateBudgetAsync(admin, new { group = "team", usd = 0.5m * RequestCost, period = "month", per_member = true });
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(bea)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(cal)).StatusCode);             // bea's spend is not cal's
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(bea)).StatusCode);

        using var removed = await admin.DeleteAsync("/api/v1/groups/team/members/cal", ct);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(cal)).StatusCode);             // no longer a member
        var keyId = await SpendRequests.KeyIdAsync(admin, "cal", calsOtherKey);
        await CreateBudgetAsync(admin, new { key = keyId, usd = 0.5m * RequestCost, period = "day" });
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(calsOtherKey)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(calsOtherKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(cal)).StatusCode);             // the key's budget, not cal's
    }

    [Fact]
    public async Task Me_ShowsTheCallersBudgetsAndGroups_MembersCannotListOrSetBudgets()
    {
        var ct = TestContext.Current.CancellationToken;
        var dee = await Gateway.CreateKeyAsync("dee");
        await Gateway.CreateKeyAsync("eve");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        await admin.PostAsJsonAsync("/api/v1/groups", new { name = "ops", members = new[] { "dee", "eve" } }, ct);
        await CreateBudgetAsync(admin, new { group = "ops", usd = 10m, period = "month", per_member = true });
        await CreateBudgetAsync(admin, new { user = "eve", usd = 1m, period = "day" });
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(dee)).StatusCode);
        using var asDee = Gateway.CreateClient(dee);

        var me = JsonDocument.Parse(await asDee.GetStringAsync("/api/v1/me", ct)).RootElement;
        using var list = await asDee.GetAsync("/api/v1/budgets", ct);
        using var set = await asDee.PostAsJsonAsync("/api/v1/budgets", new { user = "dee", usd = 100m, period = "day" }, ct);
        using var bad = await admin.PostAsJsonAsync("/api/v1/budgets", new { user = "dee", group = "ops", usd = 1m, period = "day" }, ct);
        using var badPeriod = await admin.PostAsJsonAsync("/api/v1/budgets", new { user = "dee", usd = 1m, period = "year" }, ct);

        Assert.Equal(["ops"], me.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        var mine = Assert.Single(me.GetProperty("budgets").EnumerateArray());
        Assert.Equal(("group", "ops", true), (mine.GetProperty("scope").GetString(), mine.GetProperty("subject").GetString(), mine.GetProperty("per_member").GetBoolean()));
        var account = Assert.Single(mine.GetProperty("current").EnumerateArray());
        Assert.Equal(("dee", RequestCost, 10m - RequestCost), (account.GetProperty("member").GetString(), account.GetProperty("spent_usd").GetDecimal(),
            account.GetProperty("remaining_usd").GetDecimal()));
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (list.StatusCode, set.StatusCode));
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (bad.StatusCode, badPeriod.StatusCode));

        // The usage API carries the same budget state: the member's own in theirs, every budget in an admin's.
        var usage = JsonDocument.Parse(await asDee.GetStringAsync("/api/v1/usage?group_by=model", ct)).RootElement;
        var summary = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/usage/summary", ct)).RootElement;
        var inUsage = Assert.Single(usage.GetProperty("budgets").EnumerateArray());
        Assert.Equal((mine.GetProperty("id").GetString(), "dee", RequestCost), (inUsage.GetProperty("id").GetString(),
            inUsage.GetProperty("current")[0].GetProperty("member").GetString(), inUsage.GetProperty("current")[0].GetProperty("spent_usd").GetDecimal()));
        Assert.Equal([("group", 2), ("user", 1)], summary.GetProperty("budgets").EnumerateArray()
            .Select(b => (b.GetProperty("scope").GetString()!, b.GetProperty("current").GetArrayLength())).Order());
    }

    [Fact]
    public async Task FailedAndStreamedRequests_SettleAtWhatTheyCost_NothingStaysReserved()
    {
        var ct = TestContext.Current.CancellationToken;
        var fay = await Gateway.CreateKeyAsync("fay");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        var budget = await CreateBudgetAsync(admin, new { user = "fay", usd = 1m, period = "day" });

        using var failed = await SendAsync(fay, ("x-mock-scenario", "error_before"), ("x-mock-status", "500"));
        using var streamed = await SendAsync(fay, stream: true);
        await streamed.Content.ReadAsStringAsync(ct);
        await Gateway.WaitForEndedAsync(expected: 2);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        var account = Assert.Single((await BudgetAsync(admin, budget)).GetProperty("current").EnumerateArray());
        Assert.Equal((SpendRequests.Cost(SpendRequests.Body("spend", stream: true)), 0m),
            (account.GetProperty("spent_usd").GetDecimal(), account.GetProperty("reserved_usd").GetDecimal()));
    }

    [Fact]
    public async Task ClientThatLeavesMidStream_IsSettled_NothingStaysReserved()
    {
        var ct = TestContext.Current.CancellationToken;
        var gil = await Gateway.CreateKeyAsync("gil");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        var budget = await CreateBudgetAsync(admin, new { user = "gil", usd = 1m, period = "day" });
        using var client = Gateway.CreateClient(gil, asXApiKey: true);
        var body = SpendRequests.Body("slow", stream: true);

        using (var leaving = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            using var response = await client.SendAsync(Wire.Post(Messages, body, SpendRequests.Usage(body), ("x-mock-chunk-delay-ms", "500"),
                ("x-mock-chunk-words", "1")), HttpCompletionOption.ResponseHeadersRead, leaving.Token);
            await using var stream = await response.Content.ReadAsStreamAsync(leaving.Token);
            await stream.ReadAtLeastAsync(new byte[64], 1, throwOnEndOfStream: false, leaving.Token);
            await leaving.CancelAsync();
        }
        var record = await Gateway.WaitForEndedAsync();

        Assert.Equal("canceled", record.GetProperty("status").GetString());
        await Eventually.HoldsAsync(async () =>
            Assert.Single((await BudgetAsync(admin, budget)).GetProperty("current").EnumerateArray()).GetProperty("reserved_usd").GetDecimal() == 0m,
            "the canceled request's reservation released");
    }

    private async Task<HttpResponseMessage> SendAsync(string key, params (string Name, string Value)[] headers) => await SendAsync(key, stream: false, headers);

    private async Task<HttpResponseMessage> SendAsync(string key, bool stream, params (string Name, string Value)[] headers)
    {
        using var client = Gateway.CreateClient(key, asXApiKey: true);
        var body = SpendRequests.Body("spend", stream);
        return await client.SendAsync(Wire.Post(Messages, body, [SpendRequests.Usage(body), .. headers]), TestContext.Current.CancellationToken);
    }

    private static async Task<string> CreateBudgetAsync(HttpClient admin, object budget)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/budgets", budget, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<IReadOnlyList<JsonElement>> ListBudgetsAsync(HttpClient admin) =>
        [.. JsonDocument.Parse(await admin.GetStringAsync("/api/v1/budgets", TestContext.Current.CancellationToken)).RootElement
            .GetProperty("budgets").EnumerateArray().Select(b => b.Clone())];

    private static async Task<JsonElement> BudgetAsync(HttpClient admin, string id) =>
        (await ListBudgetsAsync(admin)).Single(b => b.GetProperty("id").GetString() == id);
}
