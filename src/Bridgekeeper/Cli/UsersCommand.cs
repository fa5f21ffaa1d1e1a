using System.CommandLine;
using Bridgekeeper.Api;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Cli;

/// <summary><c>bridgekeeper users create NAME [--role R] [--email E]</c> and <c>users list [--format table|json]</c>.</summary>
internal static class UsersCommand
{
    public static Command Create(CliGlobals globals)
    {
        var command = new Command("users", "Manage users");
        command.Subcommands.Add(CreateUser(globals));
        command.Subcommands.Add(ListUsers(globals));
        return command;
    }

    private static Command CreateUser(CliGlobals globals)
    {
        var name = new Argument<string>("NAME") { Description = "The user's name (letters, digits, '.', '_', '-', '@')" };
        var role = new Option<string>("--role")
        {
            Description = $"{Roles.Admin}, {Roles.Auditor} or {Roles.Member}",
            DefaultValueFactory = _ => Roles.Member,
        };
        var email = new Option<string?>("--email") { Description = "The user's email address" };
        var command = new Command("create", "Add a user");
        command.Arguments.Add(name);
        command.Options.Add(role);
        command.Options.Add(email);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var users = new UserStore(database, TimeProvider.System);
            var (user, error) = await Accounts.CreateUserAsync(users, result.GetValue(name), result.GetValue(role), result.GetValue(email),
                cancellationToken);
            if (error is not null)
                return CliRunner.Fail(error);
            Console.Out.WriteLine($"Created user {user!.Name} ({user.Role}), id {user.Id}.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command ListUsers(CliGlobals globals)
    {
        var format = CliOutput.FormatOption(CliOutput.Table, CliOutput.Json);
        var command = new Command("list", "List users");
        command.Options.Add(format);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var users = await new UserStore(database, TimeProvider.System).ListUsersAsync(cancellationToken);
            IReadOnlyList<UserDto> dtos = [.. users.Select(UserDto.From)];
            if (result.GetValue(format) == CliOutput.Json)
                CliOutput.WriteJson(dtos, ApiJsonContext.Default.IReadOnlyListUserDto);
            else
                CliOutput.WriteTable(["NAME", "ROLE", "EMAIL", "ID", "CREATED"],
                    dtos.Select(u => (IReadOnlyList<string>)[u.Name, u.Role, u.Email ?? "", u.Id.ToString(), CliOutput.ShortTime(u.CreatedAt)]));
            return 0;
        }, cancellationToken));
        return command;
    }
}
