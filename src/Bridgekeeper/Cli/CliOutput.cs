using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Bridgekeeper.Cli;

/// <summary>The <c>--format</c> option and the writers for each format. Everything goes to <see cref="Console.Out"/>.</summary>
internal static class CliOutput
{
    public const string Table = "table";
    public const string Json = "json";
    public const string Jsonl = "jsonl";
    public const string Csv = "csv";

    public static Option<string> FormatOption(params string[] formats)
    {
        var option = new Option<string>("--format")
        {
            Description = $"Output format: {string.Join(", ", formats)}",
            DefaultValueFactory = _ => Table,
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    /// <summary>One JSON document (the same shapes as the REST API).</summary>
    public static void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo) => Console.Out.WriteLine(JsonSerializer.Serialize(value, typeInfo));

    /// <summary>One JSON object per line.</summary>
    public static void WriteJsonLines<T>(IEnumerable<T> items, JsonTypeInfo<T> typeInfo)
    {
        foreach (var item in items)
            Console.Out.WriteLine(JsonSerializer.Serialize(item, typeInfo));
    }

    /// <summary>Aligned columns separated by two spaces; the last column is not padded.</summary>
    public static void WriteTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(headers).ToList();
        var widths = headers.Select((_, column) => all.Max(row => row[column].Length)).ToArray();
        var output = Console.Out;
        foreach (var row in all)
        {
            var cells = row.Select((cell, column) => column == row.Count - 1 ? cell : cell.PadRight(widths[column]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    /// <summary>RFC 4180: a header row, CRLF line ends, fields quoted when they hold a comma, quote or line break.</summary>
    public static void WriteCsv(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, bool withHeader = true)
    {
        var output = Console.Out;
        foreach (var row in withHeader ? rows.Prepend(headers) : rows)
            output.Write(Api.Csv.Line(row));
    }

    /// <summary>A timestamp for tables: UTC to the second.</summary>
    public static string ShortTime(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A USD cost as plain decimal text; empty when unpriced (null), never 0.</summary>
    public static string Cost(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
