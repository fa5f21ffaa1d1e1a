using System.CommandLine;
using System.Data.Common;
using Bridgekeeper.Api;
using Bridgekeeper.Hosting;
using Bridgekeeper.Settings;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Cli;

/// <summary>
/// Runs a database command: loads settings, opens the database, applies migrations, runs the body. Expected failures
/// become one line on stderr and exit code 1, or 2 for bad usage.
/// </summary>
internal static class CliRunner
{
    public const int Failure = 1;
    public const int BadUsage = 2;

    public static Task<int> WithDatabaseAsync(CliGlobals globals, ParseResult result, Func<Database, Task<int>> body,
        CancellationToken cancellationToken) =>
        WithDatabaseAsync(globals, result, (database, _) => body(database), cancellationToken);

    /// <summary>As above, for a command that also needs the settings (e.g. the secret keys).</summary>
    public static async Task<int> WithDatabaseAsync(CliGlobals globals, ParseResult result, Func<Database, GatewaySettings, Task<int>> body,
        CancellationToken cancellationToken)
    {
        try
        {
            var settings = globals.LoadSettings(result);
            await using var database = Database.Open(settings.Database);
            await database.MigrateAsync(cancellationToken);
            return await body(database, settings);
        }
        catch (SettingsException e)
        {
            return Fail(e.Message, Failure);
        }
        catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException)
        {
            return Fail($"database error: {e.Message}", Failure);
        }
    }

    /// <summary>Reports an API-style error: a 400 is bad usage (exit 2), anything else a failure (exit 1).</summary>
    public static int Fail(ApiError error) => Fail(error.Message, error.Status == 400 ? BadUsage : Failure);

    /// <summary>Prints <c>bridgekeeper: message</c> as one line on stderr (line breaks inside the message become spaces).</summary>
    public static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"bridgekeeper: {string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}");
        return exitCode;
    }
}
