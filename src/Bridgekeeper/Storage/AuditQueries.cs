namespace Bridgekeeper.Storage;

/// <summary>Filters for <see cref="AuditStore.ListAsync"/>. Every filter is optional; <see cref="OnlyUserId"/> scopes a member to their own rows.</summary>
internal sealed record InterceptionQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;

    /// <summary>A user name.</summary>
    public string? User { get; init; }
    public string? Provider { get; init; }
    public string? Model { get; init; }
    public string? Client { get; init; }

    /// <summary>Inclusive lower bound on <c>started_at</c>.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Exclusive upper bound on <c>started_at</c>.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Page size, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = DefaultLimit;

    /// <summary>The <see cref="InterceptionPage.NextCursor"/> of the previous page, or null for the first page.</summary>
    public string? Cursor { get; init; }

    public Guid? OnlyUserId { get; init; }
}

/// <summary>Filters and grouping for <see cref="AuditStore.UsageAsync"/>.</summary>
internal sealed record UsageQuery(string GroupBy, DateTimeOffset? Since = null, DateTimeOffset? Until = null, Guid? OnlyUserId = null);

/// <summary>The <c>group_by</c> values of the usage report (SPEC §6).</summary>
internal static class UsageGroups
{
    public const string User = "user";
    public const string Model = "model";
    public const string Provider = "provider";
    public const string Client = "client";
    public const string Day = "day";

    /// <summary>The hour an interception started (UTC), keyed <c>2026-12-04T09:00:00Z</c>: the dashboard's day view.</summary>
    public const string Hour = "hour";

    public static readonly IReadOnlyList<string> All = [User, Model, Provider, Client, Day, Hour];

    public static bool IsValid(string? groupBy) => groupBy is User or Model or Provider or Client or Day or Hour;
}

/// <summary>
/// The paging cursor: the id of the last interception on a page. Ids are UUIDv7, so <c>id &lt; cursor</c> in
/// descending id order continues newest-first and never repeats or skips a row when newer rows arrive.
/// </summary>
internal static class InterceptionCursor
{
    public static string Format(Guid lastId) => lastId.ToString("N");

    public static bool TryParse(string? cursor, out Guid lastId) => Guid.TryParseExact(cursor, "N", out lastId);

    /// <summary>The id in the query's cursor (null for a first page), after checking its limit.</summary>
    /// <exception cref="ArgumentException">The limit is out of range or the cursor is not one a store issued.</exception>
    public static Guid? Checked(InterceptionQuery query)
    {
        if (query.Limit is < 1 or > InterceptionQuery.MaxLimit)
            throw new ArgumentException($"The limit must be between 1 and {InterceptionQuery.MaxLimit}.", nameof(query));
        if (query.Cursor is null)
            return null;
        return TryParse(query.Cursor, out var id) ? id : throw new ArgumentException("The cursor is not valid.", nameof(query));
    }
}
