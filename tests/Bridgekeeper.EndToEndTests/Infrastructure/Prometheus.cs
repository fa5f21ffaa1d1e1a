using System.Globalization;
using System.Text.RegularExpressions;

namespace Bridgekeeper.EndToEndTests.Infrastructure;

/// <summary>Reads samples out of the Prometheus text that <c>/metrics</c> serves.</summary>
internal static partial class Prometheus
{
    /// <summary>The sum of a metric's samples whose labels include all of <paramref name="labels"/>.</summary>
    public static double Value(string text, string name, params string[] labels) =>
        Samples(text, name).Where(s => labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);

    /// <summary>Every sample of <paramref name="name"/>: its label text (without braces) and its value.</summary>
    public static IEnumerable<(string Labels, double Value)> Samples(string text, string name) =>
        Sample().Matches(text).Where(m => m.Groups["name"].Value == name)
            .Select(m => (m.Groups["labels"].Value, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));

    /// <summary>The distinct values of one label over a metric's samples.</summary>
    public static IReadOnlySet<string> LabelValues(string text, string name, string label) =>
        Samples(text, name).Select(s => Regex.Match(s.Labels, $"(?:^|,){Regex.Escape(label)}=\"(?<v>[^\"]*)\"").Groups["v"].Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"(?m)^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN)")]
    private static partial Regex Sample();
}
