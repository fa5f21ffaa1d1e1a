using System.CommandLine;
using System.Globalization;
using Bridgekeeper.Api;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Cli;

/// <summary>
/// <c>bridgekeeper limits set (--user U | --group G [--per-member] | --key KEY_ID) [--rpm N] [--tpm N]</c>, <c>limits list</c>, <c>limits delete ID</c>;
/// and <c>bridgekeeper allowlists set (--group G | --key KEY_ID) PATTERN…</c>, <c>allowlists list</c>, <c>allowlists delete ID</c>.
/// A running gateway applies a change within seconds.
/// </summary>
internal static class LimitsCommand
{
    public static Command Create(CliGlobals globals)
    {
        var command = new Command("limits", "Manage request and token rate limits per minute on users, groups and keys");
        var user = new Option<string?>("--user") { Description = "A limit on this user's requests" };
        var key = new Option<string?>("--key") { Description = "A limit on the requests made with this key (its id, from keys list)" };
        var group = new Option<string?>("--group") { Description = "A limit on the requests of this group's members, pooled (or each, with --per-member)" };
        var perMember = new Option<bool>("--per-member") { Description = "Apply a group limit to each member on their own" };
        var rpm = new Option<long?>("--rpm") { Description = "Requests per minute" };
        var tpm = new Option<long?>("--tpm") { Description = "Tokens per minute (input with cache writes, and output)" };
        var set = new Command("set", "Set (replace) the limit on a user, a group or a key");
        foreach (var option in new Option[] { user, group, key, rpm, tpm, perMember })
            set.Options.Add(option);
        set.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var request = new LimitRequest(result.GetValue(user), result.GetValue(key), result.GetValue(rpm), result.GetValue(tpm), result.GetValue(group),
                result.GetValue(perMember));
            var (limit, error) = await PolicyAccounts.SetLimitAsync(SpendAccounts.Stores(database), request, cancellationToken);
            if (error is not null)
                return CliRunner.Fail(error);
            Console.Out.WriteLine($"Set limit {limit!.Id}.");
            return 0;
        }, cancellationToken));
        command.Subcommands.Add(set);
        command.Subcommands.Add(List(globals, "List the rate limits", async (database, cancellationToken) =>
        {
            var limits = await PolicyAccounts.LimitsAsync(SpendAccounts.Stores(database), null, cancellationToken);
            return (() => CliOutput.WriteJson(limits, ApiJsonContext.Default.IReadOnlyListLimitDto),
                ["ID", "SCOPE", "SUBJECT", "RPM", "TPM"], limits.Select(l => (IReadOnlyList<string>)[l.Id.ToString(), l.Scope + (l.PerMember ? " (each member)" : ""),
                    l.Subject, Rate(l.Rpm), Rate(l.Tpm)]));
        }));
        command.Subcommands.Add(Delete(globals, PolicyTable.Limits));
        return command;
    }

    public static Command CreateAllowlists(CliGlobals globals)
    {
        var command = new Command("allowlists", "Manage the models groups and keys may use");
        var group = new Option<string?>("--group") { Description = "The models this group's members may use" };
        var key = new Option<string?>("--key") { Description = "The models this key may use (its id, from keys list)" };
        var patterns = new Argument<string[]>("PATTERN") { Description = "Model names; '*' matches any run of characters", Arity = ArgumentArity.OneOrMore };
        var set = new Command("set", "Set (replace) the allowlist of a group or a key");
        set.Options.Add(group);
        set.Options.Add(key);
        set.Arguments.Add(patterns);
        set.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var request = new AllowlistRequest(result.GetValue(group), result.GetValue(key), result.GetValue(patterns));
            var (list, error) = await PolicyAccounts.SetAllowlistAsync(SpendAccounts.Stores(database), request, cancellationToken);
            if (error is not null)
                return CliRunner.Fail(error);
            Console.Out.WriteLine($"Set allowlist {list!.Id}.");
            return 0;
        }, cancellationToken));
        command.Subcommands.Add(set);
        command.Subcommands.Add(List(globals, "List the model allowlists", async (database, cancellationToken) =>
        {
            var lists = await PolicyAccounts.AllowlistsAsync(SpendAccounts.Stores(database), null, cancellationToken);
            return (() => CliOutput.WriteJson(lists, ApiJsonContext.Default.IReadOnlyListAllowlistDto),
                ["ID", "SCOPE", "SUBJECT", "MODELS"], lists.Select(l => (IReadOnlyList<string>)[l.Id.ToString(), l.Scope, l.Subject, string.Join(' ', l.Models)]));
        }));
        command.Subcommands.Add(Delete(globals, PolicyTable.Allowlists));
        return command;
    }

    private static Command List(CliGlobals globals, string description,
        Func<Database, CancellationToken, Task<(Action WriteJson, string[] Header, IEnumerable<IReadOnlyList<string>> Table)>> read)
    {
        var format = CliOutput.FormatOption(CliOutput.Table, CliOutput.Json);
        var command = new Command("list", description);
        command.Options.Add(format);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var (writeJson, header, table) = await read(database, cancellationToken);
            if (result.GetValue(format) == CliOutput.Json)
                writeJson();
            else
                CliOutput.WriteTable(header, table);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Delete(CliGlobals globals, PolicyTable table)
    {
        var what = table == PolicyTable.Limits ? "limit" : "allowlist";
        var id = new Argument<string>("ID") { Description = $"The {what}'s id (from list)" };
        var command = new Command("delete", $"Delete a {what}");
        command.Arguments.Add(id);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            if (await PolicyAccounts.DeleteAsync(SpendAccounts.Stores(database).Policies, table, result.GetValue(id)!, cancellationToken) is { } error)
                return CliRunner.Fail(error);
            Console.Out.WriteLine($"Deleted {what} {result.GetValue(id)}.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static string Rate(long? perMinute) => perMinute?.ToString("#,0", CultureInfo.InvariantCulture) ?? "-";
}
