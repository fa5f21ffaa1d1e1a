using System.Text.Json;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Cli;

[Collection(nameof(ConsoleCollection))]
public sealed class AuditCommandTests
{
    [Fact]
    public async Task InterceptionsList_Csv_HasHeaderAndOneQuotedRowPerInterception()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var (first, second) = await SeedAsync(temp, ct);

        var (exitCode, output, _) = await CliHarness.RunAsync(temp.Path, "interceptions", "list", "--format", "csv");

        Assert.Equal(0, exitCode);
        var lines = output.Split("\r\n");
        Assert.Equal("id,user_id,user,provider,provider_type,model,client,user_agent,session_id,streaming,status,error,started_at,ended_at,"
            + "input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,cost_usd,prompt", lines[0]);
        Assert.StartsWith($"{second},", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(",completed,,2026-03-01T10:01:00Z,2026-03-01T10:01:02Z,15,26,1,2,4,0.000163,\"say \"\"hi\"\", twice\"", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"{first},", lines[2], StringComparison.Ordinal);
        Assert.Equal([""], lines[3..]);
    }

    [Fact]
    public async Task InterceptionsList_JsonlWithFilter_OneMatchingObjectPerLine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var (_, second) = await SeedAsync(temp, ct);

        var (exitCode, output, _) = await CliHarness.RunAsync(temp.Path, "interceptions", "list", "--format", "jsonl", "--client", "Claude Code");

        Assert.Equal(0, exitCode);
        var line = Assert.Single(CliHarness.Lines(output));
        using var json = JsonDocument.Parse(line);
        Assert.Equal(second.ToString(), json.RootElement.GetProperty("id").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("token_usages").GetArrayLength());
    }

    [Fact]
    public async Task InterceptionsList_JsonWithLimit_IsArrayNewestFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var (_, second) = await SeedAsync(temp, ct);

        var (exitCode, output, _) = await CliHarness.RunAsync(temp.Path, "interceptions", "list", "--format", "json", "--limit", "1");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(second.ToString(), Assert.Single(json.RootElement.EnumerateArray()).GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("interceptions", "list", "--limit", "0")]
    [InlineData("interceptions", "list", "--since", "last-week")]
    [InlineData("usage", "--group-by", "week")]
    [InlineData("usage", "--format", "jsonl")]
    public async Task AuditCommand_BadValue_ExitsTwo(params string[] args)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);

        var (exitCode, output, error) = await CliHarness.RunAsync(temp.Path, args);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains(args[^1], error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_CsvByDay_SumsPerDay()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await SeedAsync(temp, ct);

        var (exitCode, output, _) = await CliHarness.RunAsync(temp.Path, "usage", "--group-by", "day", "--format", "csv");

        Assert.Equal(0, exitCode);
        Assert.Equal("key,interceptions,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,cost_usd,unpriced_interceptions\r\n"
            + "2026-03-01,2,15,26,1,2,4,0.000163,0\r\n", output);
    }

    [Fact]
    public async Task Usage_Table_AlignsColumns()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await SeedAsync(temp, ct);

        var (exitCode, output, _) = await CliHarness.RunAsync(temp.Path, "usage", "--group-by", "client");

        Assert.Equal(0, exitCode);
        var lines = CliHarness.Lines(output);
        Assert.Equal(3, lines.Length);
        Assert.Equal(lines[0].IndexOf("INTERCEPTIONS", StringComparison.Ordinal), lines[1].IndexOf(" 1 ", StringComparison.Ordinal) + 1);
        Assert.StartsWith("Claude Code  ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("Codex        ", lines[2], StringComparison.Ordinal);
    }

    /// <summary>alice: one bare Codex interception at 10:00, one Claude Code interception at 10:01 with a prompt and two priced token rows.</summary>
    private static async Task<(Guid First, Guid Second)> SeedAsync(TempDatabase temp, CancellationToken ct)
    {
        var alice = await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync("alice", Roles.Member, null, ct);
        var first = Started(alice.Id, T0);
        var second = Started(alice.Id, T0.AddMinutes(1), "anthropic", "claude-sonnet-4-5", "Claude Code");
        var id = second.InterceptionId;
        await new AuditStore(temp.Database).AppendAsync(
        [
            first, second, new PromptRecorded(id, second.At, "say \"hi\", twice"),
            Tokens(id, second.At, 10, 20, 1, 2, 3, cost: 0.00012m), Tokens(id, second.At, 5, 6, 0, 0, 1, cost: 0.000043m), Ended(id, second.At.AddSeconds(2)),
        ], ct);
        return (first.InterceptionId, id);
    }
}
