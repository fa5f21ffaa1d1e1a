using System.CommandLine;
using Bridgekeeper.Api;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Cli;

/// <summary>
/// <c>bridgekeeper sessions list</c> (agent sessions with their totals, newest-started first) and
/// <c>sessions show ID</c> (one session as a thread: each interception's prompt, upstream turns, tool calls and thoughts).
/// </summary>
internal static class SessionsCommand
{
    /// <summary>How much of a prompt, tool input or result a table line shows.</summary>
    private const int Excerpt = 120;

    public static Command Create(CliGlobals globals)
    {
        var command = new Command("sessions", "Read agent sessions, each as one thread");
        command.Subcommands.Add(List(globals));
        command.Subcommands.Add(Show(globals));
        return command;
    }

    private static Command List(CliGlobals globals)
    {
        var filters = InterceptionsCommand.FilterOptions("sessions");
        var format = CliOutput.FormatOption(CliOutput.Table, CliOutput.Json, CliOutput.Jsonl);
        var command = new Command("list", "List sessions, the most recently started first, with their totals");
        foreach (var option in filters.Values)
            command.Options.Add(option);
        command.Options.Add(format);
        command.SetAction((result, cancellationToken) =>
        {
            if (InterceptionsCommand.TryQuery(result, filters, out var query) is { } error)
                return Task.FromResult(CliRunner.Fail(error));
            return CliRunner.WithDatabaseAsync(globals, result, async database =>
            {
                var page = await new SessionStore(database).ListAsync(query, cancellationToken);
                switch (result.GetValue(format))
                {
                    case CliOutput.Json:
                        CliOutput.WriteJson(page, ApiJsonContext.Default.SessionPage);
                        break;
                    case CliOutput.Jsonl:
                        CliOutput.WriteJsonLines(page.Sessions, ApiJsonContext.Default.SessionSummary);
                        break;
                    default:
                        CliOutput.WriteTable(["FIRST", "LAST", "SESSION", "USER", "CLIENT", "INTERCEPTIONS", "TOOLS", "INPUT", "CACHED", "OUTPUT", "COST_USD"],
                            page.Sessions.Select(s => (IReadOnlyList<string>)[CliOutput.ShortTime(s.FirstAt), CliOutput.ShortTime(s.LastAt), s.Id,
                                s.User.Name ?? "", s.Client, CliOutput.Number(s.Interceptions), CliOutput.Number(s.ToolCalls),
                                CliOutput.Number(s.InputTokens), CliOutput.Number(s.CacheReadTokens), CliOutput.Number(s.OutputTokens), CliOutput.Cost(s.CostUsd)]));
                        break;
                }
                return 0;
            }, cancellationToken);
        });
        return command;
    }

    private static Command Show(CliGlobals globals)
    {
        var id = new Argument<string>("id") { Description = "The session id (as clients send it)" };
        var user = new Option<string?>("--user") { Description = "Only this user's part of the session (by name)" };
        var limit = new Option<string?>("--limit") { Description = $"At most N interceptions of the thread (default {InterceptionQuery.DefaultLimit}, at most {InterceptionQuery.MaxLimit})" };
        var cursor = new Option<string?>("--cursor") { Description = "Continue the thread after this next_cursor" };
        var format = CliOutput.FormatOption(CliOutput.Table, CliOutput.Json);
        var command = new Command("show", "Show one session as a thread, oldest first") { id, user, limit, cursor, format };
        command.SetAction((result, cancellationToken) =>
        {
            var options = new Dictionary<string, Option<string?>> { ["user"] = user, ["limit"] = limit, ["cursor"] = cursor };
            if (InterceptionsCommand.TryQuery(result, options, out var query) is { } error)
                return Task.FromResult(CliRunner.Fail(error));
            var sessionId = result.GetValue(id) ?? "";
            return CliRunner.WithDatabaseAsync(globals, result, async database =>
            {
                if (await new SessionStore(database).GetAsync(sessionId, query, cancellationToken) is not { } found)
                    return CliRunner.Fail($"No session with id '{sessionId}'.", CliRunner.Failure);
                var thread = await new AuditStore(database).WithChildrenAsync(found.Thread.Rows, cancellationToken);
                var next = found.Thread.More ? InterceptionCursor.Format(thread[^1].Id) : null;
                if (result.GetValue(format) == CliOutput.Json)
                    CliOutput.WriteJson(new SessionThread(found.Session, thread, next), ApiJsonContext.Default.SessionThread);
                else
                    WriteThread(found.Session, thread, next);
                return 0;
            }, cancellationToken);
        });
        return command;
    }

    /// <summary>The session's totals, then each interception and, indented, what happened in it in time order.</summary>
    private static void WriteThread(SessionSummary session, IReadOnlyList<InterceptionView> thread, string? next)
    {
        var output = Console.Out;
        output.WriteLine($"session {session.Id}  user {session.User.Name}  client {session.Client}  {CliOutput.ShortTime(session.FirstAt)} .. {CliOutput.ShortTime(session.LastAt)}");
        output.WriteLine($"{session.Interceptions} interceptions ({session.FailedInterceptions} failed), {session.ToolCalls} tool calls ({session.InjectedToolCalls} injected), "
            + $"input {session.InputTokens}, cached {session.CacheReadTokens}, output {session.OutputTokens}, cost_usd {CliOutput.Cost(session.CostUsd)}");
        foreach (var interception in thread)
        {
            output.WriteLine();
            output.WriteLine($"{CliOutput.ShortTime(interception.StartedAt)}  {interception.Id}  {interception.Model}  {interception.Status}"
                + (interception.Error is { } error ? $": {Short(error)}" : ""));
            var events = interception.Prompts.Select(p => (p.CreatedAt, Order: 0, Text: $"prompt: {Short(p.Prompt)}"))
                .Concat(interception.Thoughts.Select(t => (t.CreatedAt, Order: 1, Text: $"thought ({t.Source}): {Short(t.Content)}")))
                .Concat(interception.TokenUsages.Select(t => (t.CreatedAt, Order: 2,
                    Text: $"turn: input {t.InputTokens}, cached {t.CacheReadTokens}, output {t.OutputTokens}, cost_usd {CliOutput.Cost(t.CostUsd)}")))
                .Concat(interception.ToolUsages.Select(t => (t.CreatedAt, Order: 3,
                    Text: $"{(t.Injected ? "injected tool" : "tool")} {t.Tool} {Short(t.Input)}" + (t.Result is { } r ? $" -> {Short(r)}" : "") + (t.Error is { } e ? $" !! {Short(e)}" : ""))));
            foreach (var item in events.OrderBy(e => e.CreatedAt).ThenBy(e => e.Order))
                output.WriteLine("  " + item.Text);
        }
        if (next is not null)
            output.WriteLine($"\nmore: --cursor {next}");
    }

    private static string Short(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= Excerpt ? line : line[..Excerpt] + "…";
    }
}
