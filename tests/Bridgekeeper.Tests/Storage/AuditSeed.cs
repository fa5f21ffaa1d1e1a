using System.Text;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Tests.Storage;

/// <summary>
/// Fills an audit store fast with many interceptions whose prompts are large, for tests of big pages (and for
/// measuring the real process's memory): records go through <see cref="AuditStore.AppendAsync(IReadOnlyList{AuditRecord}, CancellationToken)"/>,
/// <see cref="BatchSize"/> interceptions (start, prompt, token usage, end) per transaction. 1,000 prompts of 126 KB
/// take a few seconds on SQLite or PostgreSQL.
/// </summary>
internal static class AuditSeed
{
    public const int BatchSize = 50;

    /// <summary>
    /// Adds <paramref name="count"/> completed interceptions of <paramref name="userId"/>, one millisecond apart from
    /// <paramref name="start"/>, each with the prompt <see cref="Prompt"/>(i, <paramref name="promptChars"/>) and one
    /// token-usage row. Returns their ids oldest first (the API lists them newest first).
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> LargePromptsAsync(AuditStore store, Guid userId, int count, int promptChars,
        DateTimeOffset start, CancellationToken cancellationToken)
    {
        var ids = new List<Guid>(count);
        for (var first = 0; first < count; first += BatchSize)
        {
            var records = new List<AuditRecord>();
            for (var i = first; i < Math.Min(count, first + BatchSize); i++)
            {
                var at = start.AddMilliseconds(i);
                var started = AuditFixtures.Started(userId, at, model: "claude-sonnet-4-5");
                ids.Add(started.InterceptionId);
                records.Add(started);
                records.Add(new PromptRecorded(started.InterceptionId, at, Prompt(i, promptChars)));
                records.Add(AuditFixtures.Tokens(started.InterceptionId, at, input: 1000 + i, output: 10, cost: 0.01m));
                records.Add(AuditFixtures.Ended(started.InterceptionId, at.AddMilliseconds(0.5)));
            }
            await store.AppendAsync(records, cancellationToken);
        }
        return ids;
    }

    /// <summary>
    /// The prompt of interception <paramref name="index"/>: <paramref name="chars"/> characters starting with the index,
    /// with text JSON must escape (quotes, a backslash, a newline, <c>&lt;</c>) and non-ASCII text, so the page's bytes
    /// are not simply the characters.
    /// </summary>
    public static string Prompt(int index, int chars)
    {
        const string Filler = "Fix the \"flaky\" test in src\\app <Widget/> — naïve café, 漢字.\n";
        var text = new StringBuilder(chars + Filler.Length);
        text.Append('#').Append(index).Append(' ');
        while (text.Length < chars)
            text.Append(Filler);
        return text.ToString(0, chars);
    }
}
