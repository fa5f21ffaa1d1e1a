using System.CommandLine;
using Bridgekeeper.Api;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Cli;

/// <summary><c>bridgekeeper groups create NAME</c>, <c>groups add NAME USER</c>, <c>groups remove NAME USER</c>, <c>groups list</c>.</summary>
internal static class GroupsCommand
{
    public static Command Create(CliGlobals globals)
    {
        var command = new Command("groups", "Manage groups of users (for budgets)");
        command.Subcommands.Add(CreateGroup(globals));
        command.Subcommands.Add(Member(globals, "add", "Add a user to a group", add: true));
        command.Subcommands.Add(Member(globals, "remove", "Remove a user from a group", add: false));
        command.Subcommands.Add(ListGroups(globals));
        return command;
    }

    private static Command CreateGroup(CliGlobals globals)
    {
        var name = new Argument<string>("NAME") { Description = "The group's name (letters, digits, '.', '_', '-', '@')" };
        var command = new Command("create", "Add a group");
        command.Arguments.Add(name);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var (group, error) = await SpendAccounts.CreateGroupAsync(new GroupStore(database, TimeProvider.System), result.GetValue(name), cancellationToken);
            if (error is not null)
                return CliRunner.Fail(error);
            Console.Out.WriteLine($"Created group {group!.Name}, id {group.Id}.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Member(CliGlobals globals, string verb, string description, bool add)
    {
        var name = new Argument<string>("NAME") { Description = "The group's name" };
        var user = new Argument<string>("USER") { Description = "The user's name" };
        var command = new Command(verb, description);
        command.Arguments.Add(name);
        command.Arguments.Add(user);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var stores = SpendAccounts.Stores(database);
            var (group, error) = await SpendAccounts.ChangeMemberAsync(stores.Groups, stores.Users, result.GetValue(name)!, result.GetValue(user)!, add,
                cancellationToken);
            if (error is not null)
                return CliRunner.Fail(error);
            Console.Out.WriteLine($"Group {group!.Name}: {(group.Members.Count == 0 ? "no members" : string.Join(", ", group.Members))}.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command ListGroups(CliGlobals globals)
    {
        var format = CliOutput.FormatOption(CliOutput.Table, CliOutput.Json);
        var command = new Command("list", "List groups and their members");
        command.Options.Add(format);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            IReadOnlyList<GroupDto> groups = [.. (await new GroupStore(database, TimeProvider.System).ListAsync(cancellationToken)).Select(GroupDto.From)];
            if (result.GetValue(format) == CliOutput.Json)
                CliOutput.WriteJson(groups, ApiJsonContext.Default.IReadOnlyListGroupDto);
            else
                CliOutput.WriteTable(["NAME", "MEMBERS", "ID", "CREATED"],
                    groups.Select(g => (IReadOnlyList<string>)[g.Name, string.Join(",", g.Members), g.Id.ToString(), CliOutput.ShortTime(g.CreatedAt)]));
            return 0;
        }, cancellationToken));
        return command;
    }
}
