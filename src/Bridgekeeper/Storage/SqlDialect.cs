namespace Bridgekeeper.Storage;

/// <summary>
/// The little that differs between SQLite and PostgreSQL. DML is shared: both take <c>@name</c> parameters
/// and <c>ON CONFLICT</c>. Timestamps are stored as fixed-width UTC text on SQLite (so text order is time order)
/// and as <c>timestamptz</c> on PostgreSQL; ids are UUIDv7 (text on SQLite), so id order is time order.
/// </summary>
internal sealed record SqlDialect(string Name, string MigrationFolder, Func<DateTimeOffset, object> Timestamp, Func<Guid, object> Id, TimeBucket Day)
{
    /// <summary>
    /// The smallest <c>i.id</c> of a group. PostgreSQL before 18 has no <c>min(uuid)</c>; the canonical text of a uuid
    /// compares (bytewise, <c>COLLATE "C"</c>) in the same order as the uuid itself.
    /// </summary>
    public string MinId { get; init; } = "MIN(i.id)";

    /// <summary>The smaller and the larger of two values: SQLite's many-argument <c>MIN</c>/<c>MAX</c>, PostgreSQL's <c>LEAST</c>/<c>GREATEST</c>.</summary>
    public (string Least, string Greatest) MinMax { get; init; } = ("MIN", "MAX");

    /// <summary>The UTC hour <c>i.started_at</c> falls in, labelled as RFC 3339 text (<c>2026-12-04T09:00:00Z</c>).</summary>
    public required TimeBucket Hour { get; init; }

    /// <summary>How SQLite stores a timestamp: fixed-width UTC text, so text order is time order.</summary>
    public const string SqliteTimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static readonly SqlDialect Sqlite = new(
        "sqlite",
        "sqlite",
        static t => t.UtcDateTime.ToString(SqliteTimestampFormat, System.Globalization.CultureInfo.InvariantCulture),
        static id => id.ToString("D"),
        new TimeBucket("substr(i.started_at, 1, 10)", static key => key))
    {
        Hour = new TimeBucket("substr(i.started_at, 1, 13)", static key => $"{key} || ':00:00Z'"),
    };

    /// <summary>
    /// Ids are <c>uuid</c> (passed as <see cref="Guid"/>; PostgreSQL compares uuids byte by byte, which for UUIDv7 is
    /// time order), timestamps are <c>timestamptz</c> (passed as a UTC <see cref="DateTimeOffset"/>, as Npgsql requires).
    /// </summary>
    public static readonly SqlDialect Postgres = new(
        "postgres",
        "postgres",
        static t => t.ToUniversalTime(),
        static id => id,
        new TimeBucket("(i.started_at AT TIME ZONE 'UTC')::date", static key => $"to_char({key}, 'YYYY-MM-DD')"))
    {
        MinId = "MIN(i.id::text COLLATE \"C\")::uuid",
        MinMax = ("LEAST", "GREATEST"),
        Hour = new TimeBucket("date_trunc('hour', i.started_at AT TIME ZONE 'UTC')", static key => $"to_char({key}, 'YYYY-MM-DD\"T\"HH24\":00:00Z\"')"),
    };

    /// <summary>Reads a timestamp column written through <see cref="Timestamp"/>.</summary>
    public static DateTimeOffset ReadTimestamp(object value) => value switch
    {
        DateTimeOffset offset => offset.ToUniversalTime(),
        DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
        string text => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal),
        _ => throw new InvalidCastException($"Unexpected timestamp value of type {value.GetType().Name}."),
    };

    /// <summary>Reads an id column written through <see cref="Id"/>.</summary>
    public static Guid ReadId(object value) => value switch
    {
        Guid guid => guid,
        string text => Guid.Parse(text),
        _ => throw new InvalidCastException($"Unexpected id value of type {value.GetType().Name}."),
    };
}

/// <summary>
/// A time bucket of <c>i.started_at</c>: <see cref="Group"/> is what rows are grouped by (cheap per row and ordered in
/// time: on PostgreSQL a date or timestamp, so the grouping can hash), <see cref="Label"/> turns a grouped value into
/// the key's text, applied once per group.
/// </summary>
internal sealed record TimeBucket(string Group, Func<string, string> Label);
