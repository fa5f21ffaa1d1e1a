using System.CommandLine;
using Bridgekeeper.Api;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Cli;

/// <summary><c>bridgekeeper usage [--group-by G] [--since T] [--until T] [--format table|json|csv]</c>: token sums per group.</summary>
internal static class UsageCommand
{
    public static Command Create(CliGlobals globals)
    {
        var groupBy = new Option<string>("--group-by")
        {
            Description = $"Group by {string.Join(", ", UsageGroups.All)}",
            DefaultValueFactory = _ => AuditParameters.DefaultGroupBy,
        };
        var since = new Option<string?>("--since") { Description = "Interceptions started at or after T (RFC 3339, or relative such as 24h or 7d)" };
        var until = new Option<string?>("--until") { Description = "Interceptions started before T (RFC 3339, or relative such as 24h or 7d)" };
        var format = CliOutput.FormatOption(CliOutput.Table, CliOutput.Json, CliOutput.Csv);
        var command = new Command("usage", "Tokens (and cost) summed per user, model, provider, client, day or hour");
        command.Options.Add(groupBy);
        command.Options.Add(since);
        command.Options.Add(until);
        command.Options.Add(format);
        command.SetAction((result, cancellationToken) =>
        {
            string? Get(string name) => name switch
            {
                "group_by" => result.GetValue(groupBy),
                "since" => result.GetValue(since),
                "until" => result.GetValue(until),
                _ => null,
            };
            if (AuditParameters.TryUsageQuery(Get, TimeProvider.System.GetUtcNow(), out var query) is { } error)
                return Task.FromResult(CliRunner.Fail(error));
            return CliRunner.WithDatabaseAsync(globals, result, async database =>
            {
                Write(await new AuditStore(database).UsageAsync(query, cancellationToken), result.GetValue(format));
                return 0;
            }, cancellationToken);
        });
        return command;
    }

    private static void Write(IReadOnlyList<UsageRow> rows, string? format)
    {
        switch (format)
        {
            case CliOutput.Json:
                CliOutput.WriteJson(rows, ApiJsonContext.Default.IReadOnlyListUsageRow);
                break;
            case CliOutput.Csv:
                Console.Out.Write(Csv.Usage(rows));
                break;
            default:
                CliOutput.WriteTable([.. Csv.UsageColumns.Select(c => c.ToUpperInvariant())], rows.Select(Csv.UsageCells));
                break;
        }
    }
}
