using System.CommandLine;
using Bridgekeeper.Hosting;
using Bridgekeeper.Settings;

namespace Bridgekeeper.Cli;

/// <summary><c>bridgekeeper server [--demo]</c> with one flag per setting (SPEC §2).</summary>
internal static class ServerCommand
{
    public static Command Create(CliGlobals globals)
    {
        var command = new Command("server", "Run the gateway (applies database migrations first)");
        var demo = new Option<bool>("--demo") { Description = "Start the built-in mock upstream as the openai and anthropic providers, and print a ready key" };
        command.Options.Add(demo);
        var flags = SettingDefinition.All.Where(d => d.Key != "database")
            .Select(d => (d.Key, Option: new Option<string?>(d.Flag) { Description = $"{d.Description} (env {d.Environment})" }))
            .ToList();
        foreach (var (_, option) in flags)
            command.Options.Add(option);

        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var settings = globals.LoadSettings(result, flags.ToDictionary(f => f.Key, f => result.GetValue(f.Option)), result.GetValue(demo));
                return await BridgekeeperApp.RunAsync(settings, Console.Out, cancellationToken);
            }
            catch (SettingsException exception)
            {
                // A bad value, or one the machine refuses (database unreachable, port taken): one line, no stack trace.
                return CliRunner.Fail(exception.Message, CliRunner.BadUsage);
            }
        });
        return command;
    }
}
