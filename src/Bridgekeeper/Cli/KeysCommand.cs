using System.CommandLine;
using Bridgekeeper.Api;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Cli;

/// <summary><c>bridgekeeper keys create USER</c> (prints the key and nothing else), <c>keys list USER</c>, <c>keys revoke KEY_ID</c>.</summary>
internal static class KeysCommand
{
    public static Command Create(CliGlobals globals)
    {
        var command = new Command("keys", "Manage Bridgekeeper keys");
        command.Subcommands.Add(CreateKey(globals));
        command.Subcommands.Add(ListKeys(globals));
        command.Subcommands.Add(RevokeKey(globals));
        return command;
    }

    private static Command CreateKey(CliGlobals globals)
    {
        var user = new Argument<string>("USER") { Description = "The name of the user who gets the key" };
        var label = new Option<string?>("--label") { Description = "A label to recognise the key by" };
        var expires = new Option<string?>("--expires") { Description = "Lifetime, such as 90d or 12h (default: never expires)" };
        var command = new Command("create", "Create a key and print it (the only time it is shown)");
        command.Arguments.Add(user);
        command.Options.Add(label);
        command.Options.Add(expires);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var (key, error) = await Accounts.CreateKeyAsync(new UserStore(database, TimeProvider.System), TimeProvider.System,
                result.GetValue(user)!, result.GetValue(label), result.GetValue(expires), cancellationToken);
            if (error is not null)
                return CliRunner.Fail(error);
            Console.Out.WriteLine(key!.Key);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command ListKeys(CliGlobals globals)
    {
        var user = new Argument<string>("USER") { Description = "The user whose keys to list" };
        var command = new Command("list", "List a user's keys (ids, labels and hints; never secrets)");
        command.Arguments.Add(user);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var store = new UserStore(database, TimeProvider.System);
            var name = result.GetValue(user)!;
            var owner = await store.FindUserAsync(name, cancellationToken);
            if (owner is null)
                return CliRunner.Fail(ApiError.NotFound($"No user named '{name}'."));
            var keys = await store.ListKeysAsync(owner.Id, cancellationToken);
            CliOutput.WriteTable(["ID", "LABEL", "HINT", "CREATED", "EXPIRES", "REVOKED"],
                keys.Select(k => (IReadOnlyList<string>)[k.Id.ToString(), k.Label ?? "", k.Hint, CliOutput.ShortTime(k.CreatedAt),
                    CliOutput.ShortTime(k.ExpiresAt), CliOutput.ShortTime(k.RevokedAt)]));
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command RevokeKey(CliGlobals globals)
    {
        var id = new Argument<string>("KEY_ID") { Description = "The id of the key, as keys list shows it" };
        var command = new Command("revoke", "Revoke a key (running servers refuse it within seconds)");
        command.Arguments.Add(id);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var keyId = result.GetValue(id)!;
            var error = await Accounts.RevokeKeyAsync(new UserStore(database, TimeProvider.System), keyId, cancellationToken);
            if (error is not null)
                return CliRunner.Fail(error);
            Console.Out.WriteLine($"Revoked key {keyId}.");
            return 0;
        }, cancellationToken));
        return command;
    }
}
