using System.CommandLine;
using Bridgekeeper.Api;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Cli;

/// <summary><c>bridgekeeper interceptions list</c>: the audit trail, newest first, as a table, json, jsonl or csv.</summary>
internal static class InterceptionsCommand
{
    private static readonly string[] CsvHeaders =
    [
        "id", "user_id", "user", "provider", "provider_type", "model", "client", "user_agent", "session_id", "streaming",
        "status", "error", "started_at", "ended_at", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
        "reasoning_tokens", "cost_usd", "prompt",
    ];

    public static Command Create(CliGlobals globals)
    {
        var command = new Command("interceptions", "Read the audit trail");
        command.Subcommands.Add(List(globals));
        return command;
    }

    /// <summary>The audit filters as options, by their API names (<see cref="AuditParameters.TryInterceptionQuery"/>).</summary>
    public static Dictionary<string, Option<string?>> FilterOptions(string counted) => new()
    {
        ["user"] = new("--user") { Description = $"Only this user's {counted} (by name)" },
        ["provider"] = new("--provider") { Description = "Only this provider (for example openai)" },
        ["model"] = new("--model") { Description = "Only this model" },
        ["client"] = new("--client") { Description = "Only this client (for example 'Claude Code')" },
        ["since"] = new("--since") { Description = "Started at or after T (RFC 3339, or relative such as 24h or 7d)" },
        ["until"] = new("--until") { Description = "Started before T (RFC 3339, or relative such as 24h or 7d)" },
        ["limit"] = new("--limit") { Description = $"At most N {counted} (default {InterceptionQuery.DefaultLimit}, at most {InterceptionQuery.MaxLimit})" },
    };

    /// <summary>The store query the filter options give, or the error that ends the command.</summary>
    public static ApiError? TryQuery(ParseResult result, Dictionary<string, Option<string?>> filters, out InterceptionQuery query) =>
        AuditParameters.TryInterceptionQuery(name => filters.TryGetValue(name, out var o) ? result.GetValue(o) : null, TimeProvider.System.GetUtcNow(), out query);

    private static Command List(CliGlobals globals)
    {
        var filters = FilterOptions("interceptions");
        var format = CliOutput.FormatOption(CliOutput.Table, CliOutput.Json, CliOutput.Jsonl, CliOutput.Csv);
        var command = new Command("list", "List interceptions, newest first");
        foreach (var option in filters.Values)
            command.Options.Add(option);
        command.Options.Add(format);
        command.SetAction((result, cancellationToken) =>
        {
            if (TryQuery(result, filters, out var query) is { } error)
                return Task.FromResult(CliRunner.Fail(error));
            var chosen = result.GetValue(format);
            var export = chosen is CliOutput.Jsonl or CliOutput.Csv && result.GetValue(filters["limit"]) is null;
            return CliRunner.WithDatabaseAsync(globals, result, async database =>
            {
                var store = new AuditStore(database);
                if (!export)
                {
                    Write((await store.ListAsync(query, cancellationToken)).Interceptions, chosen, withHeader: true);
                    return 0;
                }
                // Export: every match, a page at a time, written as it is read, so memory stays flat however many rows match.
                var page = query with { Limit = InterceptionQuery.MaxLimit };
                for (var first = true; ; first = false)
                {
                    var rows = await store.ListAsync(page, cancellationToken);
                    Write(rows.Interceptions, chosen, withHeader: first);
                    if (rows.NextCursor is null)
                        return 0;
                    page = page with { Cursor = rows.NextCursor };
                }
            }, cancellationToken);
        });
        return command;
    }

    private static void Write(IReadOnlyList<InterceptionView> interceptions, string? format, bool withHeader)
    {
        switch (format)
        {
            case CliOutput.Json:
                CliOutput.WriteJson(interceptions, ApiJsonContext.Default.IReadOnlyListInterceptionView);
                break;
            case CliOutput.Jsonl:
                CliOutput.WriteJsonLines(interceptions, ApiJsonContext.Default.InterceptionView);
                break;
            case CliOutput.Csv:
                CliOutput.WriteCsv(CsvHeaders, interceptions.Select(CsvRow), withHeader);
                break;
            default:
                CliOutput.WriteTable(["STARTED", "ID", "USER", "PROVIDER", "MODEL", "CLIENT", "STATUS", "INPUT", "CACHED", "OUTPUT", "COST_USD"],
                    interceptions.Select(i => (IReadOnlyList<string>)[CliOutput.ShortTime(i.StartedAt), i.Id.ToString(), i.User.Name ?? "",
                        i.Provider, i.Model, i.Client, i.Status, CliOutput.Number(i.TokenUsages.Sum(t => t.InputTokens)),
                        CliOutput.Number(i.TokenUsages.Sum(t => t.CacheReadTokens)), CliOutput.Number(i.TokenUsages.Sum(t => t.OutputTokens)), CliOutput.Cost(i.CostUsd)]));
                break;
        }
    }

    private static IReadOnlyList<string> CsvRow(InterceptionView i) =>
    [
        i.Id.ToString(), i.User.Id.ToString(), i.User.Name ?? "", i.Provider, i.ProviderType, i.Model, i.Client, i.UserAgent ?? "",
        i.SessionId ?? "", i.Streaming ? "true" : "false", i.Status, i.Error ?? "", Rfc3339TimestampConverter.Format(i.StartedAt),
        i.EndedAt is { } ended ? Rfc3339TimestampConverter.Format(ended) : "",
        CliOutput.Number(i.TokenUsages.Sum(t => t.InputTokens)), CliOutput.Number(i.TokenUsages.Sum(t => t.OutputTokens)),
        CliOutput.Number(i.TokenUsages.Sum(t => t.CacheReadTokens)), CliOutput.Number(i.TokenUsages.Sum(t => t.CacheWriteTokens)),
        CliOutput.Number(i.TokenUsages.Sum(t => t.ReasoningTokens)), CliOutput.Cost(i.CostUsd), i.Prompts.Count > 0 ? i.Prompts[^1].Prompt : "",
    ];
}
