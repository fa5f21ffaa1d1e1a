using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bridgekeeper.EndToEndTests.Clients;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Dashboard;

/// <summary>
/// What the REST API gained for the dashboard: roles changed by admins (at once, never an admin's own), key lists
/// without secrets, usage per hour and as CSV (formula-safe), and the served assets: the pinned chart library and pages
/// without inline script, style or HTML injection.
/// </summary>
public sealed partial class DashboardApiTests : GatewayTest
{
    [Fact]
    public async Task SetRole_TakesEffectAtOnce_RefusesBadRolesUnknownUsersSelfDemotionAndNonAdmins()
    {
        var ct = TestContext.Current.CancellationToken;
        var ivy = await Gateway.CreateKeyAsync("ivy");
        await Gateway.CreateKeyAsync("jack");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        using var asIvy = Gateway.CreateClient(ivy);
        using var before = await asIvy.GetAsync("/api/v1/users", ct);

        using var promoted = await admin.PatchAsJsonAsync("/api/v1/users/ivy", new { role = "auditor" }, ct);
        var seen = JsonDocument.Parse(await asIvy.GetStringAsync("/api/v1/interceptions", ct)).RootElement;
        using var bad = await admin.PatchAsJsonAsync("/api/v1/users/ivy", new { role = "owner" }, ct);
        using var unknown = await admin.PatchAsJsonAsync("/api/v1/users/nobody", new { role = "member" }, ct);
        using var self = await admin.PatchAsJsonAsync("/api/v1/users/admin", new { role = "member" }, ct);
        using var byAuditor = await asIvy.PatchAsJsonAsync("/api/v1/users/jack", new { role = "admin" }, ct);

        Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        Assert.Equal("auditor", JsonDocument.Parse(await promoted.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("role").GetString());
        Assert.True(seen.TryGetProperty("interceptions", out _));
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.Conflict, HttpStatusCode.Forbidden),
            (bad.StatusCode, unknown.StatusCode, self.StatusCode, byAuditor.StatusCode));
        var roles = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/users", ct)).RootElement.GetProperty("users").EnumerateArray()
            .ToDictionary(u => u.GetProperty("name").GetString()!, u => u.GetProperty("role").GetString());
        Assert.Equal(("admin", "auditor", "member"), (roles["admin"], roles["ivy"], roles["jack"]));
    }

    [Fact]
    public async Task KeyList_ShowsLabelsHintsAndRevocation_NeverASecret()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        await admin.PostAsJsonAsync("/api/v1/users", new { name = "kim" }, ct);
        using var created = await admin.PostAsJsonAsync("/api/v1/users/kim/keys", new { label = "laptop", expires = "30d" }, ct);
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct)).RootElement;
        await admin.DeleteAsync($"/api/v1/keys/{key.GetProperty("id").GetString()}", ct);

        var text = await admin.GetStringAsync("/api/v1/users/kim/keys", ct);
        using var unknown = await admin.GetAsync("/api/v1/users/nobody/keys", ct);

        var listed = Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal(["id", "label", "hint", "created_at", "expires_at", "revoked_at"], listed.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("laptop", key.GetProperty("hint").GetString()), (listed.GetProperty("label").GetString(), listed.GetProperty("hint").GetString()));
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("revoked_at").ValueKind);
        Assert.DoesNotContain(key.GetProperty("key").GetString()!, text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Usage_PerHour_AndAsCsv_MatchTheJson_AndFormulaKeysAreInert()
    {
        var ct = TestContext.Current.CancellationToken;
        var lee = await Gateway.CreateKeyAsync("lee");
        using var client = Gateway.CreateClient(lee);
        foreach (var (model, usage) in new[] { ("gpt-4o", "input=12,output=3"), ("=HYPERLINK(\"http://evil\")", "input=5,output=1") })
        {
            using var response = await client.SendAsync(Wire.Post("/openai/v1/chat/completions",
                JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = "hi" } } }), ("x-mock-usage", usage)), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var started = (await Gateway.WaitForEndedAsync(expected: 2)).GetProperty("started_at").GetDateTimeOffset();

        var hours = JsonDocument.Parse(await client.GetStringAsync("/api/v1/usage?group_by=hour", ct)).RootElement.GetProperty("rows");
        using var csv = await client.GetAsync("/api/v1/usage?group_by=model&format=csv", ct);
        var json = JsonDocument.Parse(await client.GetStringAsync("/api/v1/usage?group_by=model", ct)).RootElement.GetProperty("rows");
        using var badFormat = await client.GetAsync("/api/v1/usage?format=xml", ct);

        var hour = Assert.Single(hours.EnumerateArray());
        Assert.Equal((started.UtcDateTime.ToString("yyyy-MM-dd'T'HH':00:00Z'", System.Globalization.CultureInfo.InvariantCulture), 2, 17),
            (hour.GetProperty("key").GetString(), hour.GetProperty("interceptions").GetInt32(), hour.GetProperty("input_tokens").GetInt32()));
        Assert.Equal("text/csv; charset=utf-8", csv.Content.Headers.ContentType?.ToString());
        Assert.Equal("attachment; filename=\"bridgekeeper-usage-by-model.csv\"", csv.Content.Headers.ContentDisposition?.ToString());
        var lines = (await csv.Content.ReadAsStringAsync(ct)).Split("\r\n");
        Assert.Equal("key,interceptions,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,cost_usd,unpriced_interceptions", lines[0]);
        var rows = json.EnumerateArray().ToList();
        Assert.Equal(rows.Count + 2, lines.Length);
        Assert.Equal("", lines[^1]);
        Assert.Equal("\"'=HYPERLINK(\"\"http://evil\"\")\",1,5,1,0,0,0,,1", lines[1]);
        var gpt = rows.Single(r => r.GetProperty("key").GetString() == "gpt-4o");
        Assert.Equal($"gpt-4o,1,12,3,0,0,0,{gpt.GetProperty("cost_usd").GetDecimal().ToString(System.Globalization.CultureInfo.InvariantCulture)},0", lines[2]);
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
    }

    [Fact]
    public async Task UsageSummary_EachListIsExactlyTheUsageOfItsGroupBy_AndMembersGetTheirOwn()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var (user, model, usage) in new[]
        {
            ("mo", "gpt-4o", "input=12,output=3,cache_read=2"), ("mo", "gpt-4o-mini", "input=5,output=1"), ("nia", "gpt-4o", "input=40,output=9"),
            ("nia", "mystery-model", "input=7,output=7"), ("nia", "gpt-4o", "input=1,output=1"),
        })
        {
            using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync(user));
            using var response = await client.SendAsync(Wire.Post("/openai/v1/chat/completions",
                JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = "hi" } } }), ("x-mock-usage", usage)), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await Gateway.WaitForEndedAsync(expected: 5);
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        using var nia = Gateway.CreateClient(await Gateway.CreateKeyAsync("nia"));

        foreach (var (client, range) in new[] { (admin, ""), (admin, "&since=1h"), (admin, "&since=2099-01-01T00:00:00Z"), (nia, "") })
            foreach (var bucket in new[] { "day", "hour" })
            {
                var summary = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/usage/summary?bucket={bucket}{range}", ct)).RootElement;
                foreach (var (list, groupBy) in new[] { ("by_time", bucket), ("by_provider", "provider"), ("by_model", "model"), ("by_client", "client"), ("by_user", "user") })
                {
                    var rows = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/usage?group_by={groupBy}{range}", ct)).RootElement.GetProperty("rows");
                    Assert.Equal(Values(rows), Values(summary.GetProperty(list)));
                }
            }
        var own = JsonDocument.Parse(await nia.GetStringAsync("/api/v1/usage/summary", ct)).RootElement;
        Assert.Equal(["nia"], own.GetProperty("by_user").EnumerateArray().Select(r => r.GetProperty("key").GetString()));
        Assert.Equal(3, own.GetProperty("by_user")[0].GetProperty("interceptions").GetInt32());
    }

    [Fact]
    public async Task VendoredChartLibrary_IsThePinnedFileWithItsLicence()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(key: null);
        var pinned = File.ReadAllText(Path.Combine(Assets, "vendor", "README.md"));

        var library = await client.GetByteArrayAsync("/ui/assets/vendor/chart.umd.min.js", ct);
        var licence = await client.GetStringAsync("/ui/assets/vendor/chart.js-LICENSE.txt", ct);

        var row = Regex.Match(pinned, @"\| `chart\.umd\.min\.js` \|.*\| (?<version>\d+\.\d+\.\d+) \|.*\| `(?<sha>[0-9a-f]{64})` \|");
        Assert.True(row.Success, "vendor/README.md names the version and sha256 of chart.umd.min.js");
        Assert.Equal(row.Groups["sha"].Value, Convert.ToHexStringLower(SHA256.HashData(library)));
        Assert.Contains($"Chart.js v{row.Groups["version"].Value}", System.Text.Encoding.UTF8.GetString(library, 0, 200), StringComparison.Ordinal);
        Assert.StartsWith("The MIT License (MIT)", licence, StringComparison.Ordinal);
    }

    [Fact]
    public void Pages_HaveNoInlineScriptOrStyle_AndNeverBuildHtmlFromText()
    {
        var shell = File.ReadAllText(Path.Combine(Assets, "index.html"));
        Assert.All(ScriptTag().Matches(shell), tag => Assert.Contains(" src=", tag.Value, StringComparison.Ordinal));
        Assert.DoesNotContain("<style", shell, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", shell, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"\son[a-z]+=", shell);
        var scripts = Directory.GetFiles(Assets, "*.js", SearchOption.AllDirectories).Where(f => !f.Contains("vendor", StringComparison.Ordinal)).ToList();
        Assert.True(scripts.Count >= 10, $"found only {scripts.Count} page scripts");
        foreach (var script in scripts)
            Assert.DoesNotMatch(@"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", File.ReadAllText(script));
    }

    /// <summary>A list of rows as comparable values: numbers as decimals (0.000265 and 0.0002650 are one cost), strings and nulls as they are.</summary>
    private static List<string> Values(JsonElement rows) =>
        [.. rows.EnumerateArray().Select(row => string.Join(",", row.EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.Number
            ? $"{p.Name}={p.Value.GetDecimal() / 1.000000000000000000000000000m}" : $"{p.Name}={p.Value}")))];

    private static string Assets => Path.Combine(ClientInstall.Folder, "..", "..", "src", "Bridgekeeper", "Dashboard", "assets");

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();
}
