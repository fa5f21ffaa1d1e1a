using System.Collections.Concurrent;
using System.Globalization;
using Bridgekeeper.Metrics;
using Bridgekeeper.Providers;
using Bridgekeeper.Storage;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Spend;

/// <summary>
/// Rate limits (requests and tokens per minute) held across replicas by the shared token buckets in the database
/// (<see cref="RateBuckets"/>), with a local fast path: each replica leases a little of a bucket at a time (about
/// <see cref="LeaseSpan"/> of its rate) and admits requests from its lease without touching the database. When the
/// lease runs low it takes the next in the background; a request waits on the database only when the lease is empty.
/// When the shared bucket is empty, the replica refuses locally until it has refilled enough.
/// <para>
/// The token bucket charges a request's input estimate at admission and the difference to its actual tokens (input,
/// cache writes and output; cache reads are not counted, as the providers do not count them) at settlement, so the
/// level can fall below zero: the next requests wait that debt out. What a lease left unused on a replica that went
/// quiet is given back by <see cref="FlushAsync"/>, and debts are charged there, so the buckets' levels stay true.
/// </para>
/// </summary>
internal sealed partial class RateLimiter(RateBuckets buckets, TimeProvider time, BridgekeeperMetrics metrics, ILogger<RateLimiter> logger)
{
    /// <summary>How much of a bucket's rate one lease takes: the most a replica can hold that another could have used.</summary>
    public static readonly TimeSpan LeaseSpan = TimeSpan.FromMilliseconds(250);

    /// <summary>A lease untouched this long is given back to the shared bucket.</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<RateBucketKey, LocalBucket> _local = new();

    /// <summary>
    /// Admits the request against every bucket of <paramref name="limits"/>, or refuses it with the first that is empty
    /// (its takes from the others given back). Null when no limit applies.
    /// </summary>
    public async ValueTask<RateAdmission?> AdmitAsync(IReadOnlyList<(RateLimitRow Limit, string Member, string Subject)> limits, long estimatedTokens,
        CancellationToken cancellationToken)
    {
        if (limits.Count == 0)
            return null;
        var taken = new List<(LocalBucket Bucket, double Cost)>(limits.Count * 2);
        foreach (var (limit, member, subject) in limits)
            foreach (var (key, cost) in Buckets(limit, member, estimatedTokens))
            {
                var bucket = _local.GetOrAdd(key, static k => new LocalBucket(k));
                if (await TakeAsync(bucket, cost, cancellationToken) is { } wait)
                {
                    foreach (var (given, amount) in taken)
                        given.Add(amount);
                    metrics.RateLimitAdmission("refused", key.Metric);
                    return new RateAdmission(null, Refusal(key, subject, wait));
                }
                taken.Add((bucket, cost));
            }
        metrics.RateLimitAdmission("admitted");
        var tokenBuckets = taken.Where(t => t.Bucket.Key.Metric == RateBucketKey.Tokens).Select(t => t.Bucket).ToList();
        foreach (var bucket in tokenBuckets)
            Interlocked.Increment(ref bucket.Unsettled);
        return new RateAdmission(new RateTicket(tokenBuckets, estimatedTokens), null);
    }

    /// <summary>Corrects the token buckets by the difference between the request's actual tokens and its estimate (locally; <see cref="FlushAsync"/> charges it).</summary>
    public static void Settle(RateTicket ticket, long actualTokens)
    {
        foreach (var bucket in ticket.TokenBuckets)
        {
            bucket.Add(ticket.EstimatedTokens - actualTokens);
            Interlocked.Decrement(ref bucket.Unsettled);
        }
    }

    /// <summary>The tokens a request counts against <c>tpm</c>: input, cache writes and output.</summary>
    public static long Counted(TokenUsage usage) => usage.Input + usage.CacheWrite + usage.Output;

    /// <summary>
    /// Charges the debts of every local bucket to the shared one, gives back what leases left unused for
    /// <see cref="IdleAfter"/>, and forgets buckets idle for a minute (a changed limit is a new bucket).
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var (key, bucket) in _local)
        {
            double delta;
            lock (bucket)
            {
                var idle = now - bucket.Touched;
                delta = bucket.Balance < 0 || idle >= IdleAfter ? bucket.Balance : 0;
                bucket.Balance -= delta;
                if (delta == 0 && idle >= TimeSpan.FromMinutes(1) && Volatile.Read(ref bucket.Unsettled) == 0)     // a long stream settles here later
                    _local.TryRemove(new KeyValuePair<RateBucketKey, LocalBucket>(key, bucket));
            }
            if (delta == 0)
                continue;
            try
            {
                await buckets.AdjustAsync(key, delta, Micros(now), cancellationToken);
            }
            catch (System.Data.Common.DbException)
            {
                bucket.Add(delta);           // tried again at the next flush
                throw;
            }
        }
    }

    /// <summary>Each bucket of the limit and what the request costs in it: a request, and its estimated tokens.</summary>
    private static IEnumerable<(RateBucketKey Key, double Cost)> Buckets(RateLimitRow limit, string member, long estimatedTokens)
    {
        if (limit.Rpm is { } rpm)
            yield return (new RateBucketKey(limit.Id, RateBucketKey.Requests, member, rpm), 1);
        if (limit.Tpm is { } tpm)
            yield return (new RateBucketKey(limit.Id, RateBucketKey.Tokens, member, tpm), estimatedTokens);
    }

    /// <summary>Takes <paramref name="cost"/> from the local bucket, leasing from the shared one when it must; null when taken, else how long to wait.</summary>
    private async ValueTask<TimeSpan?> TakeAsync(LocalBucket bucket, double cost, CancellationToken cancellationToken)
    {
        // A request larger than a minute's allowance is admitted from a full bucket, and owes the rest.
        var admitAt = Math.Min(cost, bucket.Key.Capacity);
        if (TryLocal(bucket, cost, admitAt) is { } local)
            return local.Taken ? null : local.Wait;
        await bucket.Leasing.WaitAsync(cancellationToken);
        try
        {
            if (TryLocal(bucket, cost, admitAt) is { } again)         // a lease taken while this request waited
                return again.Taken ? null : again.Wait;
            var now = time.GetUtcNow();
            double need;
            lock (bucket)
                need = admitAt - bucket.Balance;
            (double Granted, double Level) lease;
            try
            {
                lease = await buckets.TakeAsync(bucket.Key, need + Chunk(bucket.Key), Math.Min(need, bucket.Key.Capacity), Micros(now), cancellationToken);
            }
            catch (System.Data.Common.DbException exception)
            {
                LogLeaseFailed(exception.Message);
                return null;                                              // the database is down: admitted, unlimited until it is back
            }
            metrics.RateLimitLease();
            lock (bucket)
            {
                bucket.Balance += lease.Granted;
                if (bucket.Balance >= admitAt)
                {
                    bucket.Take(cost, now);
                    return null;
                }
                // The refill it takes for the shared bucket to hold what is missing here (and its debt, when it owes one).
                var wait = TimeSpan.FromMinutes(Math.Max(admitAt - bucket.Balance - lease.Level, 1) / bucket.Key.Capacity);
                bucket.EmptyUntil = now + wait;
                return wait;
            }
        }
        finally
        {
            bucket.Leasing.Release();
        }
    }

    /// <summary>Admits from the local lease, or refuses while the shared bucket is known to be empty; null when the shared bucket must be asked.</summary>
    private (bool Taken, TimeSpan Wait)? TryLocal(LocalBucket bucket, double cost, double admitAt)
    {
        var now = time.GetUtcNow();
        bool low;
        lock (bucket)
        {
            if (bucket.Balance < admitAt)
                return now < bucket.EmptyUntil ? (false, bucket.EmptyUntil - now) : null;
            bucket.Take(cost, now);
            low = bucket.Balance < Chunk(bucket.Key) / 2;
        }
        if (low && bucket.Leasing.CurrentCount > 0)
            _ = Task.Run(() => PrefetchAsync(bucket), CancellationToken.None);
        return (true, TimeSpan.Zero);
    }

    /// <summary>Takes the next lease before this one runs out, so requests do not wait for it; skipped when a lease is being taken already.</summary>
    private async Task PrefetchAsync(LocalBucket bucket)
    {
        if (!bucket.Leasing.Wait(0))
            return;
        try
        {
            var (granted, _) = await buckets.TakeAsync(bucket.Key, Chunk(bucket.Key), 0, Micros(time.GetUtcNow()), CancellationToken.None);
            metrics.RateLimitLease();
            bucket.Add(granted);
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException or ObjectDisposedException)
        {
            LogLeaseFailed(exception.Message);       // best effort, off the request path: the next request leases itself
        }
        finally
        {
            bucket.Leasing.Release();
        }
    }

    /// <summary>One lease: <see cref="LeaseSpan"/> of the bucket's rate, at least one request.</summary>
    private static double Chunk(RateBucketKey key) => Math.Max(1, key.Capacity * LeaseSpan.TotalMinutes);

    private static long Micros(DateTimeOffset now) => (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static GatewayError Refusal(RateBucketKey key, string subject, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        var allowance = (key.Metric, key.Capacity) switch { (RateBucketKey.Requests, 1) => "request", (RateBucketKey.Requests, _) => "requests", _ => "tokens" };
        var message = string.Create(CultureInfo.InvariantCulture,
            $"Bridgekeeper refused this request: {subject} may use {key.Capacity:#,0} {allowance} per minute, and that is used up. Retry in {seconds} s.");
        return new GatewayError(429, "rate_limit_error", message, "rate_limit_exceeded") { RetryAfter = TimeSpan.FromSeconds(seconds) };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not lease from a shared rate-limit bucket ({Reason}); admitting without the limit until the database answers")]
    private partial void LogLeaseFailed(string reason);

    /// <summary>This replica's lease of one shared bucket. Guarded by its own lock; <see cref="Leasing"/> lets one lease be taken at a time.</summary>
    internal sealed class LocalBucket(RateBucketKey key)
    {
        public RateBucketKey Key { get; } = key;
        public SemaphoreSlim Leasing { get; } = new(1, 1);
        public double Balance { get; set; }
        public DateTimeOffset EmptyUntil { get; set; }
        public DateTimeOffset Touched { get; private set; } = DateTimeOffset.MinValue;

        /// <summary>Requests charged here that have not settled yet; the bucket is kept while any has not.</summary>
        public int Unsettled;

        public void Take(double cost, DateTimeOffset now)
        {
            Balance -= cost;
            Touched = now;
        }

        public void Add(double amount)
        {
            lock (this)
                Balance += amount;
        }
    }
}

/// <summary>What a request admitted against rate limits settles: the token buckets it was charged in, and its estimate.</summary>
internal sealed record RateTicket(IReadOnlyList<RateLimiter.LocalBucket> TokenBuckets, long EstimatedTokens);

/// <summary>A rate-limit admission: a ticket to settle, or the refusal to answer.</summary>
internal sealed record RateAdmission(RateTicket? Ticket, GatewayError? Refusal);
