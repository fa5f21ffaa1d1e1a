using System.Net;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Spend;

/// <summary>
/// Groups, budgets, limits and aliases declared in the YAML file of the real executable: applied at start, applied
/// again at the next start without duplicates (a changed amount changes the budget), and what the file does not name
/// (added through the API) left alone. The declared rules then hold on the provider routes.
/// </summary>
public sealed class SpendYamlTests() : SharedDatabaseTest("bk-spend-yaml-")
{
    [Fact]
    public async Task DeclaredSpendControl_IsAppliedAtEachStart_Idempotently_AndHolds()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var user in new[] { "tia", "uma" })
            Assert.Equal(0, (await GatewayProcess.RunAsync(["users", "create", user, "--database", DatabaseSetting])).ExitCode);
        await GatewayProcess.RunAsync(["users", "create", "root", "--role", "admin", "--database", DatabaseSetting]);
        var admin = (await GatewayProcess.RunAsync(["keys", "create", "root", "--database", DatabaseSetting])).Stdout.Trim();
        var tia = (await GatewayProcess.RunAsync(["keys", "create", "tia", "--database", DatabaseSetting])).Stdout.Trim();

        await using (var first = await StartAsync(Yaml(usd: 5)))
        {
            using var api = Client(await first.ListeningUrlAsync(), admin);
            using var extra = await api.PostAsync("/api/v1/budgets", Json(new { user = "uma", usd = 1, period = "week" }), ct);
            Assert.Equal(HttpStatusCode.Created, extra.StatusCode);
        }
        await using var second = await StartAsync(Yaml(usd: 7));
        var url = await second.ListeningUrlAsync();
        using var asAdmin = Client(url, admin);
        using var asTia = Client(url, tia);

        var groups = await GetAsync(asAdmin, "/api/v1/groups", "groups");
        var budgets = await GetAsync(asAdmin, "/api/v1/budgets", "budgets");
        var limits = await GetAsync(asAdmin, "/api/v1/limits", "limits");
        var allowlists = await GetAsync(asAdmin, "/api/v1/allowlists", "allowlists");
        using var aliased = await asTia.PostAsync("/anthropic/v1/messages", Json(new { model = "quick", max_tokens = 16, messages = new[] { new { role = "user", content = "hi" } } }), ct);
        using var notAllowed = await asTia.PostAsync("/anthropic/v1/messages", Json(new { model = "claude-opus-4-5", max_tokens = 16, messages = new[] { new { role = "user", content = "hi" } } }), ct);

        var team = Assert.Single(groups);
        Assert.Equal("team", team.GetProperty("name").GetString());
        Assert.Equal(["tia", "uma"], team.GetProperty("members").EnumerateArray().Select(m => m.GetString()!).Order());
        Assert.Equal(2, budgets.Count);                                                  // the declared one, changed, and the API's
        var declared = budgets.Single(b => b.GetProperty("scope").GetString() == "group");
        Assert.Equal((7m, "month", true), (declared.GetProperty("usd").GetDecimal(), declared.GetProperty("period").GetString(), declared.GetProperty("per_member").GetBoolean()));
        var limit = Assert.Single(limits);
        Assert.Equal(("tia", 120L, 50_000L), (limit.GetProperty("subject").GetString(), limit.GetProperty("rpm").GetInt64(), limit.GetProperty("tpm").GetInt64()));
        Assert.Equal(["claude-haiku-*"], Assert.Single(allowlists).GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(HttpStatusCode.OK, aliased.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, notAllowed.StatusCode);
    }

    private string Yaml(int usd)
    {
        var path = Path.Combine(Folder, $"bk-{usd}.yaml");
        File.WriteAllText(path, $"""
            model_aliases:
              quick: {"{"}provider: anthropic, model: claude-haiku-4-5{"}"}
            groups:
              team:
                members: [tia, uma]
                models: ["claude-haiku-*"]
            budgets:
              - group: team
                usd: {usd}
                period: month
                per_member: true
            limits:
              - user: tia
                rpm: 120
                tpm: 50000
            """);
        return path;
    }

    private async Task<ExecutableProcess> StartAsync(string config)
    {
        var server = ExecutableProcess.Start(["server", "--http-address", "127.0.0.1:0", "--database", DatabaseSetting, "--config", config,
            "--spool-dir", Path.Combine(Folder, "spool")], new Dictionary<string, string>
        {
            ["BRIDGEKEEPER_ANTHROPIC_KEY"] = GatewayUnderTest.AnthropicUpstreamKey,
            ["BRIDGEKEEPER_ANTHROPIC_BASE_URL"] = Upstream.AnthropicBaseUrl.AbsoluteUri,
        });
        await server.ListeningUrlAsync();
        return server;
    }

    private static HttpClient Client(Uri url, string key)
    {
        var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Add("x-api-key", key);
        return client;
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");

    private static async Task<IReadOnlyList<JsonElement>> GetAsync(HttpClient client, string path, string property) =>
        [.. JsonDocument.Parse(await client.GetStringAsync(path, TestContext.Current.CancellationToken)).RootElement.GetProperty(property).EnumerateArray().Select(e => e.Clone())];
}
