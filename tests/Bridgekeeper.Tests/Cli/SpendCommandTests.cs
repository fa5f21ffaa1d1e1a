using System.Text.Json;
using Bridgekeeper.Tests.Storage;

namespace Bridgekeeper.Tests.Cli;

/// <summary><c>groups</c> and <c>budgets</c> on the database, as an operator bootstraps spend control before the server runs.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class SpendCommandTests
{
    [Fact]
    public async Task Groups_CreateAddRemoveList_ShowTheMembers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await CliHarness.RunAsync(temp.Path, "users", "create", "alice");
        await CliHarness.RunAsync(temp.Path, "users", "create", "bob");

        var created = await CliHarness.RunAsync(temp.Path, "groups", "create", "platform");
        await CliHarness.RunAsync(temp.Path, "groups", "add", "platform", "alice");
        var added = await CliHarness.RunAsync(temp.Path, "groups", "add", "platform", "bob");
        var removed = await CliHarness.RunAsync(temp.Path, "groups", "remove", "platform", "alice");
        var (exitCode, output, _) = await CliHarness.RunAsync(temp.Path, "groups", "list", "--format", "json");
        var duplicate = await CliHarness.RunAsync(temp.Path, "groups", "create", "platform");
        var nobody = await CliHarness.RunAsync(temp.Path, "groups", "add", "platform", "nobody");

        Assert.Equal((0, 0, 0, 0), (created.ExitCode, added.ExitCode, removed.ExitCode, exitCode));
        Assert.Equal("Group platform: alice, bob.", CliHarness.Lines(added.Out)[0]);
        var group = Assert.Single(JsonDocument.Parse(output).RootElement.EnumerateArray());
        Assert.Equal("platform", group.GetProperty("name").GetString());
        Assert.Equal(["bob"], group.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.NotEqual(0, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Error, StringComparison.Ordinal);
        Assert.Contains("No user named 'nobody'", nobody.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--user", "alice", "user", "alice", false)]
    [InlineData("--group", "platform", "group", "platform", true)]
    public async Task Budgets_SetListDelete(string option, string subject, string scope, string shown, bool perMember)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await CliHarness.RunAsync(temp.Path, "users", "create", "alice");
        await CliHarness.RunAsync(temp.Path, "groups", "create", "platform");
        await CliHarness.RunAsync(temp.Path, "groups", "add", "platform", "alice");
        string[] set = ["budgets", "set", option, subject, "--usd", "12.50", "--period", "month", .. perMember ? new[] { "--per-member" } : []];

        var created = await CliHarness.RunAsync(temp.Path, set);
        var listed = await CliHarness.RunAsync(temp.Path, "budgets", "list", "--format", "json");
        var budget = Assert.Single(JsonDocument.Parse(listed.Out).RootElement.EnumerateArray());
        var deleted = await CliHarness.RunAsync(temp.Path, "budgets", "delete", budget.GetProperty("id").GetString()!);
        var after = await CliHarness.RunAsync(temp.Path, "budgets", "list", "--format", "json");

        Assert.Equal((0, 0, 0), (created.ExitCode, listed.ExitCode, deleted.ExitCode));
        Assert.Equal((scope, shown, 12.5m, "month", perMember), (budget.GetProperty("scope").GetString(), budget.GetProperty("subject").GetString(),
            budget.GetProperty("usd").GetDecimal(), budget.GetProperty("period").GetString(), budget.GetProperty("per_member").GetBoolean()));
        var account = Assert.Single(budget.GetProperty("current").EnumerateArray());
        Assert.Equal((0m, 12.5m), (account.GetProperty("spent_usd").GetDecimal(), account.GetProperty("remaining_usd").GetDecimal()));
        Assert.Equal("[]", after.Out.Trim());
    }

    [Theory]
    [InlineData("budgets set --usd 5 --period month", "exactly one of user, group or key")]
    [InlineData("budgets set --user alice --usd 0 --period month", "usd must be more than 0")]
    [InlineData("budgets set --user alice --usd 5 --period year", "period must be day, week or month")]
    [InlineData("budgets set --user alice --usd 5 --period day --per-member", "per_member applies to a group budget only")]
    [InlineData("budgets set --key not-a-key --usd 5 --period day", "is not a key id")]
    [InlineData("budgets delete 123", "is not a budget id")]
    public async Task Budgets_BadInput_FailsWithOneClearLine(string command, string message)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await CliHarness.RunAsync(temp.Path, "users", "create", "alice");

        var (exitCode, _, error) = await CliHarness.RunAsync(temp.Path, command.Split(' '));

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(CliHarness.Lines(error));
    }

    [Fact]
    public async Task Limits_SetReplacesListDelete_AndRefuseWhatCannotBeALimit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await CliHarness.RunAsync(temp.Path, "users", "create", "alice");

        var first = await CliHarness.RunAsync(temp.Path, "limits", "set", "--user", "alice", "--rpm", "60");
        var replaced = await CliHarness.RunAsync(temp.Path, "limits", "set", "--user", "alice", "--tpm", "200000");
        var listed = await CliHarness.RunAsync(temp.Path, "limits", "list", "--format", "json");
        var table = await CliHarness.RunAsync(temp.Path, "limits", "list");
        var none = await CliHarness.RunAsync(temp.Path, "limits", "set", "--user", "alice");
        var zero = await CliHarness.RunAsync(temp.Path, "limits", "set", "--user", "alice", "--rpm", "0");
        var limit = Assert.Single(JsonDocument.Parse(listed.Out).RootElement.EnumerateArray());
        var deleted = await CliHarness.RunAsync(temp.Path, "limits", "delete", limit.GetProperty("id").GetString()!);
        var after = await CliHarness.RunAsync(temp.Path, "limits", "list", "--format", "json");

        Assert.Equal((0, 0, 0), (first.ExitCode, replaced.ExitCode, deleted.ExitCode));
        Assert.Equal(CliHarness.Lines(first.Out)[0], CliHarness.Lines(replaced.Out)[0]);        // the same limit, replaced
        Assert.Equal(("user", "alice", JsonValueKind.Null, 200000L), (limit.GetProperty("scope").GetString(), limit.GetProperty("subject").GetString(),
            limit.GetProperty("rpm").ValueKind, limit.GetProperty("tpm").GetInt64()));
        Assert.Contains("200,000", table.Out, StringComparison.Ordinal);
        Assert.Contains("Give rpm, tpm or both", none.Error, StringComparison.Ordinal);
        Assert.Contains("rpm must be at least 1", zero.Error, StringComparison.Ordinal);
        Assert.Equal("[]", after.Out.Trim());
    }

    [Fact]
    public async Task Allowlists_SetOnAGroup_ListDelete()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await CliHarness.RunAsync(temp.Path, "groups", "create", "platform");

        var set = await CliHarness.RunAsync(temp.Path, "allowlists", "set", "--group", "platform", "claude-*", "gpt-5*");
        var listed = await CliHarness.RunAsync(temp.Path, "allowlists", "list", "--format", "json");
        var spaced = await CliHarness.RunAsync(temp.Path, "allowlists", "set", "--group", "platform", "gpt 5");
        var list = Assert.Single(JsonDocument.Parse(listed.Out).RootElement.EnumerateArray());
        var deleted = await CliHarness.RunAsync(temp.Path, "allowlists", "delete", list.GetProperty("id").GetString()!);

        Assert.Equal((0, 0), (set.ExitCode, deleted.ExitCode));
        Assert.Equal(("group", "platform"), (list.GetProperty("scope").GetString(), list.GetProperty("subject").GetString()));
        Assert.Equal(["claude-*", "gpt-5*"], list.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains("'gpt 5' is not a model pattern", spaced.Error, StringComparison.Ordinal);
    }
}
