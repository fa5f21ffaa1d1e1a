using System.Text.Json;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Cli;

/// <summary><c>bridgekeeper sessions list</c> and <c>sessions show</c> on a real database.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class SessionsCommandTests
{
    [Fact]
    public async Task SessionsList_Json_IsTheApiPage_WithTotals()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await SeedAsync(temp, ct);

        var (exitCode, output, _) = await CliHarness.RunAsync(temp.Path, "sessions", "list", "--format", "json");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        var session = Assert.Single(json.RootElement.GetProperty("sessions").EnumerateArray());
        Assert.Equal(("sess-1", "alice", "Claude Code", 2, 15, 26, 1), (session.GetProperty("id").GetString(), session.GetProperty("user").GetProperty("name").GetString(),
            session.GetProperty("client").GetString(), session.GetProperty("interceptions").GetInt32(), session.GetProperty("input_tokens").GetInt32(),
            session.GetProperty("output_tokens").GetInt32(), session.GetProperty("tool_calls").GetInt32()));
        Assert.Equal(0.000163m, session.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task SessionsShow_Table_TheTotalsThenEachInterceptionWithItsPromptTurnsAndTools_InTimeOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var (first, second) = await SeedAsync(temp, ct);

        var (exitCode, output, _) = await CliHarness.RunAsync(temp.Path, "sessions", "show", "sess-1");

        Assert.Equal(0, exitCode);
        Assert.Equal(
        [
            "session sess-1  user alice  client Claude Code  2026-03-01 10:00:00Z .. 2026-03-01 10:01:02Z",
            "2 interceptions (0 failed), 1 tool calls (0 injected), input 15, cached 1, output 26, cost_usd 0.000163",
            $"2026-03-01 10:00:00Z  {first}  claude-sonnet-4-5  completed",
            "  prompt: say \"hi\", twice",
            "  turn: input 10, cached 1, output 20, cost_usd 0.00012",
            "  tool Bash {\"command\":\"ls\"}",
            $"2026-03-01 10:01:00Z  {second}  claude-sonnet-4-5  completed",
            "  turn: input 5, cached 0, output 6, cost_usd 0.000043",
        ], CliHarness.Lines(output));
    }

    [Fact]
    public async Task SessionsShow_UnknownSession_ExitsOneWithOneLine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);

        var (exitCode, output, error) = await CliHarness.RunAsync(temp.Path, "sessions", "show", "nope");

        Assert.Equal((1, ""), (exitCode, output));
        Assert.Equal("bridgekeeper: No session with id 'nope'.", error.Trim());
    }

    /// <summary>alice's session sess-1: two Claude Code interceptions a minute apart, the first with a prompt, a tool call and a priced turn.</summary>
    private static async Task<(Guid First, Guid Second)> SeedAsync(TempDatabase temp, CancellationToken ct)
    {
        var alice = await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync("alice", Roles.Member, null, ct);
        var first = Started(alice.Id, T0, "anthropic", "claude-sonnet-4-5", "Claude Code") with { SessionId = "sess-1" };
        var second = Started(alice.Id, T0.AddMinutes(1), "anthropic", "claude-sonnet-4-5", "Claude Code") with { SessionId = "sess-1" };
        var (a, b) = (first.InterceptionId, second.InterceptionId);
        await new AuditStore(temp.Database).AppendAsync(
        [
            first, new PromptRecorded(a, T0, "say \"hi\", twice"), Tokens(a, T0.AddSeconds(1), 10, 20, 1, cost: 0.00012m),
            new ToolUsageRecorded(a, T0.AddSeconds(1), "Bash", "toolu_1", """{"command":"ls"}""", false, null, null, null), Ended(a, T0.AddSeconds(2)),
            second, Tokens(b, second.At.AddSeconds(1), 5, 6, cost: 0.000043m), Ended(b, second.At.AddSeconds(2)),
        ], ct);
        return (a, b);
    }
}
