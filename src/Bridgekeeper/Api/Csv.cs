using System.Globalization;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Api;

/// <summary>RFC 4180 text for the usage export (<c>GET /api/v1/usage?format=csv</c>) and the CLI's csv formats.</summary>
internal static class Csv
{
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>The columns of a usage row, as in its JSON.</summary>
    public static readonly IReadOnlyList<string> UsageColumns =
        ["key", "interceptions", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "cost_usd", "unpriced_interceptions"];

    /// <summary>One row's fields, separated by commas and ended by CRLF.</summary>
    public static string Line(IEnumerable<string> fields) => string.Join(",", fields.Select(Field)) + "\r\n";

    /// <summary>The cells of a usage row, as its JSON has them.</summary>
    public static IReadOnlyList<string> UsageCells(UsageRow row) =>
    [
        row.Key,
        Number(row.Interceptions), Number(row.InputTokens), Number(row.OutputTokens), Number(row.CacheReadTokens),
        Number(row.CacheWriteTokens), Number(row.ReasoningTokens), row.CostUsd?.ToString(CultureInfo.InvariantCulture) ?? "",
        Number(row.UnpricedInterceptions),
    ];

    /// <summary>
    /// A header line and one line per row. A key (model and client names come from requests) that a spreadsheet would
    /// run as a formula (<c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or CR first) is prefixed with <c>'</c>, as OWASP advises.
    /// </summary>
    public static string Usage(IReadOnlyList<UsageRow> rows) =>
        string.Concat(rows.Select(row => UsageCells(row with { Key = Inert(row.Key) })).Prepend(UsageColumns).Select(Line));

    private static string Inert(string text) => text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Field(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
