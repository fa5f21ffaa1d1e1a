using System.CommandLine;
using Bridgekeeper.Api;
using Bridgekeeper.Hosting;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Cli;

/// <summary>
/// <c>bridgekeeper mcp token set USER SERVER</c> (the token is read from stdin, never argv, so it stays out of shell
/// history), <c>mcp token delete USER SERVER</c>, <c>mcp token list USER [--format table|json]</c> (never the tokens) and
/// <c>mcp token rekey</c> (re-encrypts every token under the current secret key, after a rotation).
/// </summary>
internal static class McpCommand
{
    public static Command Create(CliGlobals globals)
    {
        var token = new Command("token", "Manage users' personal MCP server tokens (stored encrypted)");
        token.Subcommands.Add(SetToken(globals));
        token.Subcommands.Add(DeleteToken(globals));
        token.Subcommands.Add(ListTokens(globals));
        token.Subcommands.Add(Rekey(globals));
        var command = new Command("mcp", "Injected MCP tools");
        command.Subcommands.Add(token);
        return command;
    }

    private static Command SetToken(CliGlobals globals)
    {
        var user = new Argument<string>("USER") { Description = "The user who owns the token" };
        var server = new Argument<string>("SERVER") { Description = "The MCP server name, as configured" };
        var command = new Command("set", "Store a user's token for an MCP server; reads the token from stdin");
        command.Arguments.Add(user);
        command.Arguments.Add(server);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async (database, settings) =>
        {
            var store = Store(database, settings);
            if (store.Keys.Current is null)
                return CliRunner.Fail($"cannot store MCP tokens: {store.Keys.Problem}", CliRunner.Failure);
            if (!Console.IsInputRedirected)
                Console.Error.Write("Token (input is read from stdin; end with Enter): ");
            var secret = await Console.In.ReadLineAsync(cancellationToken);
            var (row, error) = await McpEndpoints.SetTokenAsync(new UserStore(database, TimeProvider.System), store, null,
                result.GetValue(user)!, result.GetValue(server)!, secret, cancellationToken);
            if (error is not null)
                return CliRunner.Fail(error);
            Console.Out.WriteLine($"Stored the MCP token of {result.GetValue(user)} for server {row!.Server}.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command DeleteToken(CliGlobals globals)
    {
        var user = new Argument<string>("USER") { Description = "The user who owns the token" };
        var server = new Argument<string>("SERVER") { Description = "The MCP server name" };
        var command = new Command("delete", "Delete a user's token for an MCP server");
        command.Arguments.Add(user);
        command.Arguments.Add(server);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async (database, settings) =>
        {
            var (_, error) = await McpEndpoints.DeleteTokenAsync(new UserStore(database, TimeProvider.System), Store(database, settings),
                result.GetValue(user)!, result.GetValue(server)!, cancellationToken);
            if (error is not null)
                return CliRunner.Fail(error);
            Console.Out.WriteLine($"Deleted the MCP token of {result.GetValue(user)} for server {result.GetValue(server)}.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command ListTokens(CliGlobals globals)
    {
        var user = new Argument<string>("USER") { Description = "The user whose tokens to list" };
        var format = CliOutput.FormatOption(CliOutput.Table, CliOutput.Json);
        var command = new Command("list", "List the MCP servers a user holds tokens for (never the tokens)");
        command.Arguments.Add(user);
        command.Options.Add(format);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async (database, settings) =>
        {
            var (tokens, error) = await McpEndpoints.ListTokensAsync(new UserStore(database, TimeProvider.System), Store(database, settings),
                result.GetValue(user)!, cancellationToken);
            if (error is not null)
                return CliRunner.Fail(error);
            if (result.GetValue(format) == CliOutput.Json)
                CliOutput.WriteJson(new McpTokenListResponse(tokens!), McpJsonContext.Default.McpTokenListResponse);
            else
                CliOutput.WriteTable(["SERVER", "CREATED"], tokens!.Select(t => (IReadOnlyList<string>)[t.Server, CliOutput.ShortTime(t.CreatedAt)]));
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Rekey(CliGlobals globals)
    {
        var command = new Command("rekey",
            "Re-encrypt every MCP token under the current secret key (after a rotation; then the previous keys can go)");
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async (database, settings) =>
        {
            var store = Store(database, settings);
            if (store.Keys.Current is null)
                return CliRunner.Fail($"cannot re-encrypt MCP tokens: {store.Keys.Problem}", CliRunner.Failure);
            var done = await store.RekeyAsync(cancellationToken);
            Console.Out.WriteLine($"Re-encrypted {done.Rewritten} MCP tokens under key {done.KeyId}.");
            if (done.Failed.Count == 0)
                return 0;
            var users = (await new UserStore(database, TimeProvider.System).ListUsersAsync(cancellationToken)).ToDictionary(u => u.Id, u => u.Name);
            var names = done.Failed.Select(f => $"{users.GetValueOrDefault(f.UserId, f.UserId.ToString())}/{f.Server}").Order(StringComparer.Ordinal);
            return CliRunner.Fail($"{done.Failed.Count} MCP tokens decrypt under no key of {SecretKeyring.KeySetting} and {SecretKeyring.PreviousKeysSetting}, and were left as they are: {string.Join(", ", names)}.",
                CliRunner.Failure);
        }, cancellationToken));
        return command;
    }

    /// <summary>The token store with the keys of the settings (<c>secret_key</c>, <c>secret_key_previous</c>, or the key file beside a SQLite database).</summary>
    private static McpTokenStore Store(Database database, GatewaySettings settings) =>
        new(database, TimeProvider.System, SecretKeyring.Load(settings.SecretKey, settings.SecretKeyPrevious, database));
}
