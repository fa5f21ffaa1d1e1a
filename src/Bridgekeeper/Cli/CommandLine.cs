using System.CommandLine;

namespace Bridgekeeper.Cli;

/// <summary>The <c>bridgekeeper</c> command tree (SPEC §1). Bad usage (a parse error) prints the problem as one line on stderr and exits with 2.</summary>
internal static class CommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        var globals = new CliGlobals();
        var root = new RootCommand("Bridgekeeper: an authenticated, audited gateway for AI coding agents");
        root.Options.Add(globals.Config);
        root.Options.Add(globals.Database);
        root.Subcommands.Add(ServerCommand.Create(globals));
        root.Subcommands.Add(UsersCommand.Create(globals));
        root.Subcommands.Add(KeysCommand.Create(globals));
        root.Subcommands.Add(InterceptionsCommand.Create(globals));
        root.Subcommands.Add(UsageCommand.Create(globals));
        root.Subcommands.Add(SessionsCommand.Create(globals));
        root.Subcommands.Add(GroupsCommand.Create(globals));
        root.Subcommands.Add(BudgetsCommand.Create(globals));
        root.Subcommands.Add(LimitsCommand.Create(globals));
        root.Subcommands.Add(LimitsCommand.CreateAllowlists(globals));
        root.Subcommands.Add(McpCommand.Create(globals));
        root.Subcommands.Add(MockUpstreamCommand.Create(globals));
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
            return CliRunner.Fail($"{string.Join(" ", result.Errors.Select(e => e.Message))} Run 'bridgekeeper --help' for usage.", CliRunner.BadUsage);
        // No termination timeout: the host handles SIGTERM/Ctrl+C itself and drains the audit queue before exiting.
        return await result.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
