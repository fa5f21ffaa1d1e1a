using System.Globalization;
using Bridgekeeper.Settings;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Api;

/// <summary>
/// Turns the raw text of the audit filters (API query parameters or CLI options, by their API names) into store
/// queries, with one clear error for the first bad value. Blank values count as absent.
/// </summary>
internal static class AuditParameters
{
    public const string DefaultGroupBy = UsageGroups.User;

    public static ApiError? TryInterceptionQuery(Func<string, string?> get, DateTimeOffset now, out InterceptionQuery query)
    {
        query = new InterceptionQuery();
        if (TryInstant("since", get("since"), now, out var since) is { } sinceError)
            return sinceError;
        if (TryInstant("until", get("until"), now, out var until) is { } untilError)
            return untilError;
        var limit = InterceptionQuery.DefaultLimit;
        if (Blank(get("limit")) is { } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > InterceptionQuery.MaxLimit))
            return ApiError.BadRequest($"limit must be a whole number from 1 to {InterceptionQuery.MaxLimit}; got '{limitText}'.");
        var cursor = Blank(get("cursor"));
        if (cursor is not null && !InterceptionCursor.TryParse(cursor, out _))
            return ApiError.BadRequest("cursor is not valid; pass the next_cursor of a previous page.");
        query = new InterceptionQuery
        {
            User = Blank(get("user")),
            Provider = Blank(get("provider")),
            Model = Blank(get("model")),
            Client = Blank(get("client")),
            Since = since,
            Until = until,
            Limit = limit,
            Cursor = cursor,
        };
        return null;
    }

    public static ApiError? TryUsageQuery(Func<string, string?> get, DateTimeOffset now, out UsageQuery query)
    {
        query = new UsageQuery(DefaultGroupBy);
        var groupBy = Blank(get("group_by")) ?? DefaultGroupBy;
        if (!UsageGroups.IsValid(groupBy))
            return ApiError.BadRequest($"group_by must be one of {string.Join(", ", UsageGroups.All)}; got '{groupBy}'.");
        if (TryInstant("since", get("since"), now, out var since) is { } sinceError)
            return sinceError;
        if (TryInstant("until", get("until"), now, out var until) is { } untilError)
            return untilError;
        query = new UsageQuery(groupBy, since, until);
        return null;
    }

    /// <summary>An RFC 3339 timestamp or a relative form such as <c>24h</c> or <c>7d</c> (that long before <paramref name="now"/>).</summary>
    public static ApiError? TryInstant(string name, string? text, DateTimeOffset now, out DateTimeOffset? value)
    {
        value = null;
        if (Blank(text) is not { } given)
            return null;
        if (!Durations.TryParseInstant(given, now, out var instant))
            return ApiError.BadRequest($"{name} must be an RFC 3339 timestamp or a duration such as 24h or 7d; got '{given}'.");
        value = instant;
        return null;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
