using Bridgekeeper.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Hosting;

/// <summary>
/// <c>GET /readyz</c>: the database answers and every migration is applied. A failure answers
/// <c>database unreachable</c> and nothing more: the exception text (host names, user names, SQL) is for the operator's
/// log, not for whoever can reach the probe. It is logged once when the database becomes unreachable (or fails in a
/// new way), not on every probe, and its return is logged too.
/// </summary>
internal sealed partial class Readiness(Database database, Migrator migrator, ILogger<Readiness> logger)
{
    public const string Unreachable = "database unreachable\n";

    private readonly Lock _lock = new();
    private string? _lastFailure;

    public async Task<IResult> CheckAsync(CancellationToken cancellationToken)
    {
        int version;
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT MAX(version) FROM schema_migrations";
            version = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (System.Data.Common.DbException exception)
        {
            Failed(exception);
            return Results.Text(Unreachable, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        Reached();
        return version >= migrator.LatestVersion
            ? Results.Text("ready\n")
            : Results.Text($"migrations pending ({version} of {migrator.LatestVersion})\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private void Failed(Exception exception)
    {
        var failure = exception.GetType().FullName + ": " + exception.Message;
        lock (_lock)
        {
            if (failure == _lastFailure)
                return;
            _lastFailure = failure;
        }
        LogUnreachable(database.Description, exception);
    }

    private void Reached()
    {
        lock (_lock)
        {
            if (_lastFailure is null)
                return;
            _lastFailure = null;
        }
        LogReachable(database.Description);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness: database {Database} unreachable; /readyz answers 503 until it is back")]
    private partial void LogUnreachable(string database, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Readiness: database {Database} reachable again")]
    private partial void LogReachable(string database);
}
