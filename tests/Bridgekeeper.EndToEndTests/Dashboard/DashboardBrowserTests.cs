using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.EndToEndTests.Mcp;
using static Bridgekeeper.EndToEndTests.Dashboard.DashboardBrowser;

namespace Bridgekeeper.EndToEndTests.Dashboard;

/// <summary>
/// The dashboard in a real browser after real traffic through the gateway (an agent session with an injected MCP call and
/// a client tool call, and another user's requests): an admin signs in with the key form, and every number on the
/// overview, spend, sessions and MCP pages is the REST API's, the budgets' accounts too, marked at 85% and over their
/// limit; the session opens as its thread; users and keys are managed through the forms (with the CSRF token); and a
/// member sees only their own data and budgets, cannot reach admin pages or routes, and a forged cross-site form is refused.
/// </summary>
public sealed class DashboardBrowserTests : McpGatewayTest
{
    private const string Messages = "/anthropic/v1/messages";

    [Fact]
    public async Task Admin_SignsIn_EveryNumberOnScreenIsTheApis_OpensTheSessionThread_ManagesUsersAndKeys()
    {
        var ct = TestContext.Current.CancellationToken;
        var traffic = await TrafficAsync();
        using var admin = Gateway.CreateClient(Gateway.AdminKey);

        var seen = await RunAsync("admin", Gateway.Url, Gateway.AdminKey, new Dictionary<string, string>
        {
            ["BK_SESSION"] = "alice/alice-session",
            ["BK_FILTER_USER"] = "bob",
            ["BK_NEW_USER"] = "carol",
        }, ct);

        var byProvider = await UsageAsync(admin, "provider");
        SameTotals(byProvider, seen.GetProperty("overview").GetProperty("stats"));
        SameTotals(byProvider, seen.GetProperty("overview24h").GetProperty("stats"));
        Assert.EndsWith("/ui?range=24h", seen.GetProperty("overview24h").GetProperty("url").GetString(), StringComparison.Ordinal);
        SameRows(await UsageAsync(admin, "model"), seen.GetProperty("overview").GetProperty("byModel"));
        SameRows(await UsageAsync(admin, "client"), seen.GetProperty("overview").GetProperty("byClient"));
        var budgets = seen.GetProperty("spend").GetProperty("budgets");
        Assert.EndsWith("/ui/spend", seen.GetProperty("spend").GetProperty("url").GetString(), StringComparison.Ordinal);   // the overview's budget line
        var shown = SameBudgets(budgets);
        Assert.Equal(new Dictionary<string, string>
        {
            [traffic.Budgets.Pooled] = "", [$"{traffic.Budgets.PerMember}/alice"] = "", [$"{traffic.Budgets.PerMember}/bob"] = "warn",
            [traffic.Budgets.Bob] = "over", [traffic.Budgets.AliceKey] = "warn",
        }, shown);
        var bobs = budgets.GetProperty("summary").EnumerateArray().Single(b => b.GetProperty("id").GetString() == traffic.Budgets.Bob);
        Assert.Equal(BobSpends, bobs.GetProperty("current")[0].GetProperty("spent_usd").GetDecimal());   // both of bob's requests, and nothing else
        Assert.Equal("user bob", budgets.GetProperty("rows").GetProperty(traffic.Budgets.Bob).GetProperty("cells").GetProperty("Budget").GetString());
        Assert.Equal("group platform · bob", budgets.GetProperty("rows").GetProperty($"{traffic.Budgets.PerMember}/bob").GetProperty("cells")
            .GetProperty("Budget").GetString());
        SameBudgetLine(budgets.GetProperty("summary"), seen.GetProperty("overview").GetProperty("budgets"));
        Assert.Equal("Budgets: 3 of 5 at 85% or more (1 over budget)", seen.GetProperty("overview").GetProperty("budgets").GetProperty("text").GetString());
        var byUser = await UsageAsync(admin, "user");
        SameRows(byUser, seen.GetProperty("spend").GetProperty("byUser"));
        Assert.Equal(["alice", "bob"], byUser.Select(r => r.GetProperty("key").GetString()!).Order());
        var csv = seen.GetProperty("spend").GetProperty("csv");
        Assert.Equal(200, csv.GetProperty("status").GetInt32());
        Assert.Equal(await admin.GetStringAsync("/api/v1/usage?group_by=user&since=7d&format=csv", ct), csv.GetProperty("body").GetString());

        Assert.Equal(["alice/alice-session", "bob/bob-session"], seen.GetProperty("sessions").EnumerateObject().Select(p => p.Name).Order());
        var session = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/sessions/alice-session?user=alice", ct)).RootElement;
        SameSession(session, seen.GetProperty("session"));

        var listed = await Gateway.ListInterceptionsAsync();
        Assert.Equal(listed.Select(i => i.GetProperty("id").GetString()), seen.GetProperty("interceptions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(traffic.Bob, seen.GetProperty("filtered").EnumerateArray().Select(e => e.GetString()!).ToList());
        Assert.EndsWith($"/ui/interceptions/{traffic.Bob[0]}", seen.GetProperty("interception").GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal(["bob second"], seen.GetProperty("interception").GetProperty("thread")[0].GetProperty("prompts").EnumerateArray().Select(p => p.GetString()));

        var mcp = seen.GetProperty("mcp").GetProperty("test");
        Assert.Equal(("connected", "4", "1", "0"), (mcp.GetProperty("Status").GetString(), mcp.GetProperty("Tools offered").GetString(),
            mcp.GetProperty("Calls").GetString(), mcp.GetProperty("Failures").GetString()));

        await UsersAndKeysChangedAsync(admin, seen);
        SessionCookieIsSafe(seen);
        Assert.Equal((403, "csrf_failed"), (seen.GetProperty("withoutCsrf").GetProperty("status").GetInt32(), ErrorCode(seen.GetProperty("withoutCsrf"))));
        Assert.Equal(401, seen.GetProperty("afterSignOut").GetProperty("status").GetInt32());
        PageWasClean(seen);
        foreach (var page in new[] { "overview", "spend", "session", "interception", "mcp", "users" })
            Assert.True(File.Exists(Path.Combine(ScreenshotFolder, $"admin-{page}.png")), $"no screenshot of {page}");
    }

    [Fact]
    public async Task Member_SeesOnlyTheirOwnData_CannotReachAdminPagesOrRoutes_AndAForgedCrossSiteFormIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var traffic = await TrafficAsync();
        using var alice = Gateway.CreateClient(traffic.AliceKey);
        using var admin = Gateway.CreateClient(Gateway.AdminKey);

        var seen = await RunAsync("member", Gateway.Url, traffic.AliceKey, new Dictionary<string, string>
        {
            ["BK_FOREIGN_SESSION"] = "/ui/sessions/bob-session?user=bob",
            ["BK_FOREIGN_INTERCEPTION"] = $"/ui/interceptions/{traffic.Bob[0]}",
            ["BK_KEY_WITHOUT_BUDGETS"] = await Gateway.CreateKeyAsync("dan"),
        }, ct);

        var own = await UsageAsync(alice, "provider");
        SameTotals(own, seen.GetProperty("overview"));
        Assert.NotEqual(Sum(await UsageAsync(admin, "provider"), "interceptions"), Sum(own, "interceptions"));
        Assert.False(seen.GetProperty("usersLinkVisible").GetBoolean());
        Assert.Equal(["alice/alice-session"], seen.GetProperty("sessions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(traffic.Alice, seen.GetProperty("interceptions").EnumerateArray().Select(e => e.GetString()!).ToList());
        Assert.False(seen.GetProperty("userFilter").GetBoolean());
        Assert.Contains("This page is for admins only.", seen.GetProperty("usersPage").GetString(), StringComparison.Ordinal);
        Assert.Equal((403, "forbidden"), (seen.GetProperty("usersApi").GetProperty("status").GetInt32(), ErrorCode(seen.GetProperty("usersApi"))));
        Assert.Equal(403, seen.GetProperty("createUserApi").GetProperty("status").GetInt32());
        Assert.Equal("No session with id 'bob-session'.", seen.GetProperty("foreignSession").GetString());
        Assert.Equal($"No interception with id '{traffic.Bob[0]}'.", seen.GetProperty("foreignInterception").GetString());
        Assert.Equal(["alice"], seen.GetProperty("spend").EnumerateObject().Select(p => p.Name));
        var budgets = seen.GetProperty("spendBudgets");
        Assert.Equal(new Dictionary<string, string>
        {
            [traffic.Budgets.Pooled] = "", [$"{traffic.Budgets.PerMember}/alice"] = "", [traffic.Budgets.AliceKey] = "warn",
        }, SameBudgets(budgets));      // not bob's budget, nor bob's account of the per-member one
        SameBudgetLine(budgets.GetProperty("summary"), seen.GetProperty("overviewBudgets"));
        Assert.Equal("Budgets: 1 of 3 at 85% or more", seen.GetProperty("overviewBudgets").GetProperty("text").GetString());
        var without = seen.GetProperty("withoutBudgets");
        Assert.Equal(0, without.GetProperty("spend").GetProperty("summary").GetArrayLength());
        Assert.Equal(("No budgets are set.", 0), (without.GetProperty("spend").GetProperty("empty").GetString(),
            without.GetProperty("spend").GetProperty("rows").EnumerateObject().Count()));
        Assert.Equal("Budgets: none are set.", without.GetProperty("overview").GetProperty("text").GetString());
        Assert.Contains("\"unauthorized\"", seen.GetProperty("forged").GetString(), StringComparison.Ordinal);
        var users = await admin.GetStringAsync("/api/v1/users", ct);
        Assert.DoesNotContain("forged", users, StringComparison.Ordinal);
        Assert.DoesNotContain("by-a-member", users, StringComparison.Ordinal);
        PageWasClean(seen);
        Assert.True(File.Exists(Path.Combine(ScreenshotFolder, "member-users-denied.png")));
    }

    private sealed record Traffic(string AliceKey, IReadOnlyList<string> Alice, IReadOnlyList<string> Bob, Budgets Budgets);

    /// <summary>The ids of the budgets set before the traffic.</summary>
    private sealed record Budgets(string Pooled, string PerMember, string Bob, string AliceKey);

    /// <summary>What bob's two requests cost: claude-sonnet-4-5 at $3 / $15 per million, for 1,000 + 7 input and 200 + 3 output tokens.</summary>
    private const decimal BobSpends = 1007 * 3m / 1_000_000 + 203 * 15m / 1_000_000;

    /// <summary>
    /// Budgets first, on the group platform (alice and bob): $25 a week pooled (far from it) and $0.0068 a month for each
    /// member (bob's $0.006066 is 89% of it); on bob, $0.00603 a month (his first request leaves it below, so the second
    /// is admitted and takes it over); on alice's key, $0.0019 a day (her session's $0.0017175 is 90% of it).
    /// Then alice's agent session: a plain turn, a turn whose injected <c>bmcp_test_echo</c> call the gateway runs on
    /// the MCP server, and a turn with a client Bash call. Bob: a session of one request and a request without a session.
    /// Each request is settled before the next is sent (a reservation held would refuse it). Returns the interception
    /// ids, newest first.
    /// </summary>
    private async Task<Traffic> TrafficAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var alice = await ReadyKeyAsync("alice");
        var bob = await Gateway.CreateKeyAsync("bob");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        using (var group = await admin.PostAsJsonAsync("/api/v1/groups", new { name = "platform", members = new[] { "alice", "bob" } }, ct))
            Assert.Equal(HttpStatusCode.Created, group.StatusCode);
        var aliceKeyId = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/users/alice/keys", ct)).RootElement.GetProperty("keys")
            .EnumerateArray().Single().GetProperty("id").GetString()!;
        var budgets = new Budgets(
            await CreateBudgetAsync(admin, new { group = "platform", usd = 25m, period = "week" }),
            await CreateBudgetAsync(admin, new { group = "platform", usd = 0.0068m, period = "month", per_member = true }),
            await CreateBudgetAsync(admin, new { user = "bob", usd = 0.00603m, period = "month" }),
            await CreateBudgetAsync(admin, new { key = aliceKeyId, usd = 0.0019m, period = "day" }));
        await SendAsync(alice, "plan the change", "alice-session", ("x-mock-usage", "input=120,output=40,cache_read=300,cache_write=50"));
        await SendAsync(alice, "echo hi", "alice-session", ("x-mock-scenario", "tool_call"), ("x-mock-tool", """name=bmcp_test_echo;args={"message":"hi"}"""),
            ("x-mock-usage", "input=10,output=5"));
        await SendAsync(alice, "list the files", "alice-session", ("x-mock-scenario", "tool_call"), ("x-mock-tool", """name=Bash;args={"command":"ls -la"}"""),
            ("x-mock-usage", "input=30,output=12"));
        await SendAsync(bob, "bob first", "bob-session", ("x-mock-usage", "input=1000,output=200"));
        await SendAsync(bob, "bob second", null, ("x-mock-usage", "input=7,output=3"));
        await Gateway.WaitForEndedAsync(expected: 5);
        var all = await Gateway.ListInterceptionsAsync();
        List<string> Of(string user) => [.. all.Where(i => i.GetProperty("user").GetProperty("name").GetString() == user).Select(i => i.GetProperty("id").GetString()!)];
        return new Traffic(alice, Of("alice"), Of("bob"), budgets);
    }

    private static async Task<string> CreateBudgetAsync(HttpClient admin, object budget)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/budgets", budget, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Waits until no budget account holds a reservation: the request sent last is settled.</summary>
    private async Task SettledAsync()
    {
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        await Eventually.HoldsAsync(async () => JsonDocument.Parse(await admin.GetStringAsync("/api/v1/budgets", TestContext.Current.CancellationToken)).RootElement
            .GetProperty("budgets").EnumerateArray().SelectMany(b => b.GetProperty("current").EnumerateArray())
            .All(a => a.GetProperty("reserved_usd").GetDecimal() == 0m), "every request settled");
    }

    private async Task SendAsync(string key, string prompt, string? session, params (string Name, string Value)[] headers)
    {
        using var client = Gateway.CreateClient(key, asXApiKey: true);
        var body = $$"""{"model":"claude-sonnet-4-5","max_tokens":256,"stream":false,"messages":[{"role":"user","content":"{{prompt}}"}]}""";
        var all = session is null ? headers : [.. headers, ("X-Claude-Code-Session-Id", session)];
        using var response = await client.SendAsync(Wire.Post(Messages, body, all), TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await SettledAsync();
    }

    private static async Task<IReadOnlyList<JsonElement>> UsageAsync(HttpClient client, string groupBy)
    {
        var json = await client.GetStringAsync($"/api/v1/usage?group_by={groupBy}&since=7d", TestContext.Current.CancellationToken);
        return [.. JsonDocument.Parse(json).RootElement.GetProperty("rows").EnumerateArray().Select(r => r.Clone())];
    }

    private static long Sum(IReadOnlyList<JsonElement> rows, string field) => rows.Sum(r => r.GetProperty(field).GetInt64());

    private static decimal? Cost(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : element.GetDecimal();

    /// <summary>The overview's cards are the sums of the API's rows.</summary>
    private static void SameTotals(IReadOnlyList<JsonElement> rows, JsonElement stats)
    {
        foreach (var field in new[] { "interceptions", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens" })
            Assert.Equal(Sum(rows, field), Count(stats.GetProperty(field).GetString()!));
        Assert.True(Sum(rows, "interceptions") > 0);
        SameCost(rows.Sum(r => Cost(r.GetProperty("cost_usd")) ?? 0), stats.GetProperty("cost_usd").GetString()!, "total cost");
    }

    /// <summary>A table shows exactly the API's rows, with their requests, tokens and cost.</summary>
    private static void SameRows(IReadOnlyList<JsonElement> rows, JsonElement table)
    {
        Assert.Equal(rows.Select(r => r.GetProperty("key").GetString()!).Order(), table.EnumerateObject().Select(p => p.Name).Order());
        foreach (var row in rows)
        {
            var shown = table.GetProperty(row.GetProperty("key").GetString()!);
            Assert.Equal((row.GetProperty("interceptions").GetInt64(), row.GetProperty("input_tokens").GetInt64(), row.GetProperty("output_tokens").GetInt64()),
                (Count(shown.GetProperty("Requests").GetString()!), Count(shown.GetProperty("Input").GetString()!), Count(shown.GetProperty("Output").GetString()!)));
            SameCost(Cost(row.GetProperty("cost_usd")), shown.GetProperty("Cost").GetString()!, row.GetProperty("key").GetString()!);
        }
    }

    /// <summary>
    /// The Spend page's budget table shows exactly the API's accounts (fetched by the page as it showed them): the
    /// subject, period, limit, spent, reserved, remaining, the share used as a bar and as text, the reset time, and
    /// warn at 85% or over at 100% on the row. Returns each row's class by its key (budget id, and /member per member).
    /// </summary>
    private static Dictionary<string, string> SameBudgets(JsonElement seen)
    {
        var rows = seen.GetProperty("rows");
        var expected = new Dictionary<string, string>();
        foreach (var budget in seen.GetProperty("summary").EnumerateArray())
            foreach (var account in budget.GetProperty("current").EnumerateArray())
            {
                var member = account.GetProperty("member").GetString();
                var key = budget.GetProperty("id").GetString() + (member is null ? "" : $"/{member}");
                var row = rows.GetProperty(key);
                var cells = row.GetProperty("cells");
                var (limit, spent, reserved) = (budget.GetProperty("usd").GetDecimal(), account.GetProperty("spent_usd").GetDecimal(),
                    account.GetProperty("reserved_usd").GetDecimal());
                var subject = $"{budget.GetProperty("scope").GetString()} {budget.GetProperty("subject").GetString()}";
                Assert.Equal(member is null ? subject : $"{subject} · {member}", cells.GetProperty("Budget").GetString());
                Assert.Equal(budget.GetProperty("period").GetString(), cells.GetProperty("Period").GetString());
                SameCost(limit, cells.GetProperty("Limit").GetString()!, $"{key} limit");
                SameCost(spent, cells.GetProperty("Spent").GetString()!, $"{key} spent");
                SameCost(reserved, cells.GetProperty("Reserved").GetString()!, $"{key} reserved");
                SameCost(account.GetProperty("remaining_usd").GetDecimal(), cells.GetProperty("Remaining").GetString()!, $"{key} remaining");
                var used = (spent + reserved) / limit;
                var state = used >= 1 ? "over" : used >= 0.85m ? "warn" : "";
                var percent = $"{Math.Floor(used * 100).ToString(CultureInfo.InvariantCulture)}% used";
                Assert.Equal(state == "over" ? $"over budget · {percent}" : percent, cells.GetProperty("Used").GetString());
                Assert.Equal(state, row.GetProperty("class").GetString());
                var bar = row.GetProperty("progress");
                Assert.Equal((double)limit, bar.GetProperty("max").GetDouble(), 12);
                Assert.Equal((double)Math.Min(spent + reserved, limit), bar.GetProperty("value").GetDouble(), 12);
                Assert.Equal(account.GetProperty("resets_at").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    cells.GetProperty("Resets at").GetString());
                expected[key] = state;
            }
        Assert.Equal(expected.Keys.Order(), rows.EnumerateObject().Select(r => r.Name).Order());
        return expected;
    }

    /// <summary>The Overview's budget line: how many of the API's accounts are at 85% or more (and over), linking to the Spend page.</summary>
    private static void SameBudgetLine(JsonElement budgets, JsonElement line)
    {
        var used = budgets.EnumerateArray().SelectMany(b => b.GetProperty("current").EnumerateArray()
            .Select(a => (a.GetProperty("spent_usd").GetDecimal() + a.GetProperty("reserved_usd").GetDecimal()) / b.GetProperty("usd").GetDecimal())).ToList();
        var (high, over) = (used.Count(u => u >= 0.85m), used.Count(u => u >= 1));
        Assert.Equal($"Budgets: {high} of {used.Count} at 85% or more{(over > 0 ? $" ({over} over budget)" : "")}", line.GetProperty("text").GetString());
        Assert.Equal("/ui/spend", line.GetProperty("href").GetString());
        Assert.Contains(over > 0 ? "over" : high > 0 ? "warn" : "budget-summary", line.GetProperty("class").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The session page: the API's totals, and the thread in order with the injected call, its result, and each turn's tokens.</summary>
    private static void SameSession(JsonElement api, JsonElement seen)
    {
        var totals = api.GetProperty("session");
        var stats = seen.GetProperty("stats");
        foreach (var field in new[] { "interceptions", "input_tokens", "output_tokens", "tool_calls", "injected_tool_calls" })
            Assert.Equal(totals.GetProperty(field).GetInt64(), Count(stats.GetProperty(field).GetString()!));
        SameCost(Cost(totals.GetProperty("cost_usd")), stats.GetProperty("cost_usd").GetString()!, "session cost");
        var thread = seen.GetProperty("thread").EnumerateArray().ToList();
        var interceptions = api.GetProperty("interceptions").EnumerateArray().ToList();
        Assert.Equal(interceptions.Select(i => i.GetProperty("id").GetString()), thread.Select(t => t.GetProperty("id").GetString()));
        Assert.Equal(["plan the change", "echo hi", "list the files"], thread.Select(t => t.GetProperty("prompts")[0].GetString()));
        var echo = thread[1].GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["turn", "tool", "turn"], echo.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(("bmcp_test_echo", true, "Echo: hi"), (echo[1].GetProperty("tool").GetString(), echo[1].GetProperty("injected").GetBoolean(),
            echo[1].GetProperty("result").GetString()));
        Assert.Equal("hi", JsonDocument.Parse(echo[1].GetProperty("input").GetString()!).RootElement.GetProperty("message").GetString());
        var usages = interceptions[1].GetProperty("token_usages").EnumerateArray().ToList();
        Assert.Equal(usages.Select(u => $"in {u.GetProperty("input_tokens").GetInt64()} · out {u.GetProperty("output_tokens").GetInt64()} · cache read "
            + $"{u.GetProperty("cache_read_tokens").GetInt64()} · cache write {u.GetProperty("cache_write_tokens").GetInt64()}"),
            echo.Where(e => e.GetProperty("kind").GetString() == "turn").Select(e => e.GetProperty("tokens").GetString()));
        var bash = thread[2].GetProperty("events").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "tool");
        Assert.Equal(("Bash", false), (bash.GetProperty("tool").GetString(), bash.GetProperty("injected").GetBoolean()));
        Assert.Equal("ls -la", JsonDocument.Parse(bash.GetProperty("input").GetString()!).RootElement.GetProperty("command").GetString());
    }

    /// <summary>What the users page did went through the API: carol exists as a member, with one key, revoked, that no longer works.</summary>
    private async Task UsersAndKeysChangedAsync(HttpClient admin, JsonElement seen)
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal("member", seen.GetProperty("users").GetProperty("carol").GetProperty("Role").GetString());
        var users = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/users", ct)).RootElement.GetProperty("users").EnumerateArray();
        Assert.Equal("member", users.Single(u => u.GetProperty("name").GetString() == "carol").GetProperty("role").GetString());
        Assert.DoesNotContain(users, u => u.GetProperty("name").GetString() == "no-csrf");
        var key = Assert.Single(JsonDocument.Parse(await admin.GetStringAsync("/api/v1/users/carol/keys", ct)).RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal("from-the-dashboard", key.GetProperty("label").GetString());
        Assert.NotEqual(JsonValueKind.Null, key.GetProperty("revoked_at").ValueKind);
        var created = seen.GetProperty("newKey").GetString()!;
        Assert.StartsWith("bk_", created, StringComparison.Ordinal);
        var hint = key.GetProperty("hint").GetString()!;
        Assert.EndsWith(hint[(hint.IndexOf('…', StringComparison.Ordinal) + 1)..], created, StringComparison.Ordinal);
        using var revoked = Gateway.CreateClient(created);
        using var response = await revoked.GetAsync("/api/v1/me", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static void SessionCookieIsSafe(JsonElement seen)
    {
        var cookie = Assert.Single(seen.GetProperty("cookies").EnumerateArray());
        Assert.Equal(("bridgekeeper_session", "/api/v1", true, "Strict"), (cookie.GetProperty("name").GetString(), cookie.GetProperty("path").GetString(),
            cookie.GetProperty("httpOnly").GetBoolean(), cookie.GetProperty("sameSite").GetString()));
        Assert.Equal("", seen.GetProperty("documentCookie").GetString());
    }

    /// <summary>No script error and no Content-Security-Policy violation on any page visited.</summary>
    private static void PageWasClean(JsonElement seen)
    {
        Assert.Empty(seen.GetProperty("csp").EnumerateArray());
        Assert.DoesNotContain(seen.GetProperty("problems").EnumerateArray(), p => p.GetString()!.StartsWith("page error", StringComparison.Ordinal));
    }

    private static string? ErrorCode(JsonElement fetched) =>
        JsonDocument.Parse(fetched.GetProperty("body").GetString()!).RootElement.GetProperty("error").GetProperty("code").GetString();
}
