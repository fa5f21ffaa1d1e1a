using System.CommandLine;

namespace Bridgekeeper.Cli;

/// <summary><c>bridgekeeper server [--demo]</c>. Wired to the host by the hot-path work; do not edit from the CLI work.</summary>
internal static class ServerCommand
{
    public static Command Create(CliGlobals globals)
    {
        var command = new Command("server", "Run the gateway (applies database migrations first)");
        command.SetAction((_, _) => Task.FromResult(globals is null ? 1 : 1));
        return command;
    }
}
