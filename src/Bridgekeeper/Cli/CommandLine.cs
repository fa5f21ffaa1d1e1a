using System.CommandLine;

namespace Bridgekeeper.Cli;

/// <summary>The <c>bridgekeeper</c> command tree (SPEC §1).</summary>
internal static class CommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        var globals = new CliGlobals();
        var root = new RootCommand("Bridgekeeper: an authenticated, audited gateway for AI coding agents");
        root.Options.Add(globals.Config);
        root.Options.Add(globals.Database);
        root.Subcommands.Add(ServerCommand.Create(globals));
        root.Subcommands.Add(MockUpstreamCommand.Create(globals));
        return await root.Parse(args).InvokeAsync();
    }
}
