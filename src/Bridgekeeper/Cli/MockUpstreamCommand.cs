using System.CommandLine;

namespace Bridgekeeper.Cli;

/// <summary><c>bridgekeeper mock-upstream</c>. Wired by the mock-upstream work; do not edit from the CLI work.</summary>
internal static class MockUpstreamCommand
{
    public static Command Create(CliGlobals globals)
    {
        var command = new Command("mock-upstream", "Run a stand-in for the OpenAI and Anthropic APIs");
        command.SetAction((_, _) => Task.FromResult(globals is null ? 1 : 1));
        return command;
    }
}
