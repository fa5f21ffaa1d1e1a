using System.Globalization;

namespace Bridgekeeper.Settings;

/// <summary>Durations as operators write them: <c>500ms</c>, <c>15s</c>, <c>10m</c>, <c>24h</c>, <c>90d</c>, or <c>0</c>.</summary>
internal static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        text = text.Trim();
        if (text == "0")
            return true;
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], "ms") : (text[..^1], text[^1..]);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount < 0)
            return false;
        TimeSpan? parsed = unit switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            "d" => TimeSpan.FromDays(amount),
            "w" => TimeSpan.FromDays(amount * 7),
            _ => null,
        };
        value = parsed ?? default;
        return parsed is not null;
    }

    /// <summary>
    /// A point in time for <c>--since</c>/<c>--until</c>: an RFC 3339 timestamp, or a duration meaning "that long ago".
    /// </summary>
    public static bool TryParseInstant(string? text, DateTimeOffset now, out DateTimeOffset value)
    {
        if (TryParse(text, out var ago))
        {
            value = now - ago;
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }
}
