using System.Globalization;

namespace Bridgekeeper.Storage;

/// <summary>
/// The token buckets of rate limits (<c>rate_buckets</c>), shared by every replica. A bucket holds up to a minute's
/// allowance (<c>capacity</c>) and refills continuously at that allowance per minute, as the providers' own limits do;
/// it starts full. Each operation is one upsert that first refills the bucket for the time since it was last touched,
/// so concurrent replicas serialize on its row (PostgreSQL's row lock; SQLite's one writer) and none is lost.
/// </summary>
internal sealed class RateBuckets(Database database)
{
    /// <summary>
    /// Takes up to <paramref name="want"/> from a bucket: everything wanted when the bucket holds it, else all it holds,
    /// but nothing when it holds less than <paramref name="atLeast"/>.
    /// </summary>
    /// <returns>What was granted, and the level left (what the bucket held, when nothing was granted).</returns>
    public async Task<(double Granted, double Level)> TakeAsync(RateBucketKey bucket, double want, double atLeast, long nowMicros,
        CancellationToken cancellationToken)
    {
        var (least, greatest) = database.Dialect.MinMax;
        var level = Refilled(least, greatest);
        var grant = $"CASE WHEN {level} >= @at_least THEN {greatest}(0, {least}(@want, {level})) ELSE 0 END";
        var fresh = atLeast <= bucket.Capacity ? Math.Min(want, bucket.Capacity) : 0;       // a new bucket is full
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO rate_buckets (limit_id, metric, member, level, updated_us, granted) VALUES (@limit_id, @metric, @member, @fresh_level, @now, @fresh)
            ON CONFLICT (limit_id, metric, member) DO UPDATE
                SET level = {level} - {grant}, granted = {grant}, updated_us = {greatest}(rate_buckets.updated_us, @now)
            RETURNING granted, level
            """;
        Describe(command, bucket, nowMicros);
        command.AddParameter("want", want);
        command.AddParameter("at_least", atLeast);
        command.AddParameter("fresh", fresh);
        command.AddParameter("fresh_level", bucket.Capacity - fresh);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (Convert.ToDouble(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Changes a bucket's level by <paramref name="delta"/> after refilling it: below zero to charge what was used beyond
    /// what was taken (the level may fall below zero, a debt later requests wait out), above to give back what was taken
    /// and not used (never beyond the capacity).
    /// </summary>
    public async Task AdjustAsync(RateBucketKey bucket, double delta, long nowMicros, CancellationToken cancellationToken)
    {
        var (least, greatest) = database.Dialect.MinMax;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE rate_buckets SET level = {least}(@capacity, {Refilled(least, greatest)} + @delta), updated_us = {greatest}(rate_buckets.updated_us, @now)
            WHERE limit_id = @limit_id AND metric = @metric AND member = @member
            """;
        Describe(command, bucket, nowMicros);
        command.AddParameter("delta", delta);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The bucket's level now: what it held, plus the refill since, up to its capacity.</summary>
    private static string Refilled(string least, string greatest) =>
        $"{least}(@capacity, rate_buckets.level + {greatest}(0, @now - rate_buckets.updated_us) * @per_micro)";

    private void Describe(System.Data.Common.DbCommand command, RateBucketKey bucket, long nowMicros)
    {
        command.AddParameter("limit_id", database.Dialect.Id(bucket.LimitId));
        command.AddParameter("metric", bucket.Metric);
        command.AddParameter("member", bucket.Member);
        command.AddParameter("capacity", bucket.Capacity);
        command.AddParameter("per_micro", bucket.Capacity / 60_000_000d);
        command.AddParameter("now", nowMicros);
    }
}

/// <summary>
/// One bucket: a limit's requests (<c>rpm</c>) or tokens (<c>tpm</c>), the member it counts for (a user id, for a group
/// limit applied to each member; else empty) and its allowance per minute.
/// </summary>
internal readonly record struct RateBucketKey(Guid LimitId, string Metric, string Member, double Capacity)
{
    public const string Requests = "rpm";
    public const string Tokens = "tpm";
}
