using System.Net;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// <c>GET /api/v1/sessions</c> and <c>/api/v1/sessions/{id}</c> after real traffic through the gateway: the session
/// header groups interceptions, totals are the recorded tokens exactly, the thread comes oldest first with its tool
/// calls, and a member sees only their own sessions (another user's session id answers 404).
/// </summary>
public sealed class SessionApiTests : GatewayTest
{
    private const string Path = "/anthropic/v1/messages";

    private static string Body(string prompt) =>
        $$"""{"model":"claude-sonnet-4-5","max_tokens":64,"stream":false,"messages":[{"role":"user","content":"{{prompt}}"}]}""";

    [Fact]
    public async Task Sessions_GroupTheHeadersInterceptions_ExactTotals_NewestStartedFirst_PagedByCursor()
    {
        var ct = TestContext.Current.CancellationToken;
        var bob = await Gateway.CreateKeyAsync("bob");
        await TwoTurnsAsync(bob, "sess-a");
        await SendAsync(bob, "alone", session: null, ("x-mock-usage", "input=1,output=1"));
        await SendAsync(bob, "later", "sess-b", ("x-mock-usage", "input=2,output=4"));
        await Gateway.WaitForEndedAsync(expected: 4);
        using var admin = Gateway.CreateClient(Gateway.AdminKey);

        var all = await GetJsonAsync(admin, "/api/v1/sessions", ct);
        var first = await GetJsonAsync(admin, "/api/v1/sessions?limit=1", ct);
        var second = await GetJsonAsync(admin, $"/api/v1/sessions?limit=1&cursor={first.GetProperty("next_cursor").GetString()}", ct);

        var sessions = all.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(["sess-b", "sess-a"], sessions.Select(s => s.GetProperty("id").GetString()));
        var a = sessions[1];
        Assert.Equal(("bob", "Unknown", 2, 13, 25, 7, 11, 1), (a.GetProperty("user").GetProperty("name").GetString(), a.GetProperty("client").GetString(),
            a.GetProperty("interceptions").GetInt32(), a.GetProperty("input_tokens").GetInt32(), a.GetProperty("output_tokens").GetInt32(),
            a.GetProperty("cache_read_tokens").GetInt32(), a.GetProperty("cache_write_tokens").GetInt32(), a.GetProperty("tool_calls").GetInt32()));
        Assert.Equal(JsonValueKind.Null, all.GetProperty("next_cursor").ValueKind);
        Assert.Equal("sess-b", Assert.Single(first.GetProperty("sessions").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal("sess-a", Assert.Single(second.GetProperty("sessions").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task Session_IsAThreadOldestFirst_WithPromptsTurnsAndToolCalls()
    {
        var ct = TestContext.Current.CancellationToken;
        var bob = await Gateway.CreateKeyAsync("bob");
        await TwoTurnsAsync(bob, "sess-t");
        await Gateway.WaitForEndedAsync(expected: 2);
        using var client = Gateway.CreateClient(bob);

        var thread = await GetJsonAsync(client, "/api/v1/sessions/sess-t", ct);
        var paged = await GetJsonAsync(client, "/api/v1/sessions/sess-t?limit=1", ct);

        Assert.Equal(("sess-t", 2, 13), (thread.GetProperty("session").GetProperty("id").GetString(),
            thread.GetProperty("session").GetProperty("interceptions").GetInt32(), thread.GetProperty("session").GetProperty("input_tokens").GetInt32()));
        var interceptions = thread.GetProperty("interceptions").EnumerateArray().ToList();
        Assert.Equal(["first", "second"], interceptions.Select(i => i.GetProperty("prompts")[0].GetProperty("prompt").GetString()));
        Assert.Equal([3, 10], interceptions.Select(i => i.GetProperty("token_usages")[0].GetProperty("input_tokens").GetInt32()));
        var tool = Assert.Single(interceptions[1].GetProperty("tool_usages").EnumerateArray());
        Assert.Equal(("Bash", """{"command":"ls"}""", false), (tool.GetProperty("tool").GetString(), tool.GetProperty("input").GetString(), tool.GetProperty("injected").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, thread.GetProperty("next_cursor").ValueKind);
        Assert.Equal(interceptions[0].GetProperty("id").GetString(), Assert.Single(paged.GetProperty("interceptions").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(interceptions[0].GetProperty("id").GetString()!.Replace("-", "", StringComparison.Ordinal), paged.GetProperty("next_cursor").GetString());
    }

    [Fact]
    public async Task Member_SeesOnlyOwnSessions_AnotherUsersSessionIs404_EvenUnderTheSameId()
    {
        var ct = TestContext.Current.CancellationToken;
        var judy = await Gateway.CreateKeyAsync("judy");
        var mallory = await Gateway.CreateKeyAsync("mallory");
        await SendAsync(judy, "judy's", "shared-id", ("x-mock-usage", "input=3,output=5"));
        await SendAsync(judy, "judy only", "judy-only", ("x-mock-usage", "input=1,output=1"));
        await SendAsync(mallory, "mallory's", "shared-id", ("x-mock-usage", "input=100,output=1"));
        await Gateway.WaitForEndedAsync(expected: 3);
        using var malloryClient = Gateway.CreateClient(mallory);
        using var admin = Gateway.CreateClient(Gateway.AdminKey);

        var mine = await GetJsonAsync(malloryClient, "/api/v1/sessions", ct);
        var shared = await GetJsonAsync(malloryClient, "/api/v1/sessions/shared-id", ct);
        using var other = await malloryClient.GetAsync("/api/v1/sessions/judy-only", ct);
        var everything = await GetJsonAsync(admin, "/api/v1/sessions", ct);

        var only = Assert.Single(mine.GetProperty("sessions").EnumerateArray());
        Assert.Equal(("shared-id", "mallory", 100), (only.GetProperty("id").GetString(), only.GetProperty("user").GetProperty("name").GetString(),
            only.GetProperty("input_tokens").GetInt32()));
        Assert.Equal(["mallory's"], shared.GetProperty("interceptions").EnumerateArray().Select(i => i.GetProperty("prompts")[0].GetProperty("prompt").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal("not_found", JsonDocument.Parse(await other.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal([("shared-id", "mallory"), ("judy-only", "judy"), ("shared-id", "judy")],
            everything.GetProperty("sessions").EnumerateArray().Select(s => (s.GetProperty("id").GetString(), s.GetProperty("user").GetProperty("name").GetString())));
    }

    /// <summary>Prompt "first" (input 3, output 5, cache read 7, cache write 11), then "second" (input 10, output 20) with a Bash call.</summary>
    private async Task TwoTurnsAsync(string key, string session)
    {
        await SendAsync(key, "first", session, ("x-mock-usage", "input=3,output=5,cache_read=7,cache_write=11"));
        await SendAsync(key, "second", session, ("x-mock-usage", "input=10,output=20"), ("x-mock-scenario", "tool_call"),
            ("x-mock-tool", """name=Bash;args={"command":"ls"}"""));
    }

    private async Task SendAsync(string key, string prompt, string? session, params (string Name, string Value)[] headers)
    {
        using var client = Gateway.CreateClient(key, asXApiKey: true);
        var all = session is null ? headers : [.. headers, ("X-Claude-Code-Session-Id", session)];
        using var response = await client.SendAsync(Wire.Post(Path, Body(prompt), all), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
