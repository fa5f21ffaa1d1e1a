using Bridgekeeper.Cli;

namespace Bridgekeeper.Tests.Cli;

/// <summary>Runs <c>bridgekeeper</c> in-process against one database file and captures stdout and stderr.</summary>
internal static class CliHarness
{
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(string databasePath, params string[] args)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var exitCode = await CommandLine.RunAsync(["--database", databasePath, .. args]);
            return (exitCode, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    public static string[] Lines(string text) => text.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
}
