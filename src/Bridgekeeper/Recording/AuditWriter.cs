using Bridgekeeper.Metrics;
using Bridgekeeper.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Recording;

/// <summary>
/// Drains <see cref="AuditQueue"/> into the database, a batch per transaction. After the first record of a batch it
/// lingers <see cref="Linger"/> so that a batch gathers whole interceptions (start and end in one row) and many of them;
/// a backlog larger than a batch is written at once. The next batch is gathered and shaped while one is being written.
/// A transaction per request would cost the hot path more CPU than the request itself. A failed batch is retried with
/// backoff until it lands: never dropped. Records the queue spilled to the <see cref="AuditSpool"/> are read back from it once the channel
/// is empty; with <c>spool_fsync</c>, the spool is flushed to disk once per batch. On shutdown it waits, after the web server has stopped, for in-flight interceptions to
/// record their end, then drains the queue.
/// </summary>
internal sealed partial class AuditWriter(AuditQueue queue, AuditStore store, TimeProvider time, BridgekeeperMetrics metrics, ILogger<AuditWriter> logger)
    : IHostedLifecycleService
{
    public const int MaxBatchSize = 4096;
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan InFlightWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _abandon = new();
    private Task _loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after every hosted service, including the web server, has stopped.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + InFlightWait;
        while (queue.InFlight > 0 && time.GetUtcNow() < deadline)
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, CancellationToken.None);
        queue.Complete();
        if (await Task.WhenAny(_loop, Task.Delay(DrainWait, time, CancellationToken.None)) != _loop)
        {
            LogDrainAbandoned(queue.Depth);
            await _abandon.CancelAsync();
        }
        await _loop;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Two batches take turns: while one is being written, the next is gathered and shaped, so the database is never
    /// idle waiting for the writer's own CPU work. Batches are written one after another, in queue order.
    /// </summary>
    private async Task RunAsync()
    {
        var (gathering, writing) = (new List<QueuedRecord>(MaxBatchSize), new List<QueuedRecord>(MaxBatchSize));
        var written = Task.FromResult(true);
        var full = false;
        while (true)
        {
            var more = await GatherAsync(gathering, full);
            full = gathering.Count == MaxBatchSize;
            var shaped = gathering.Count == 0 ? null : AuditBatch.Shape(gathering.ConvertAll(q => q.Record), gathering.ConvertAll(q => q.RowId));
            if (!await written)
                return;
            if (shaped is not null)
            {
                (gathering, writing) = (writing, gathering);
                gathering.Clear();
                queue.Spool?.Sync();
                var batch = writing;   // the loop swaps the lists: the write keeps this one
                written = Task.Run(() => WriteAsync(batch, shaped));   // SQLite writes synchronously: off this loop
            }
            if (!more)
            {
                await written;
                return;
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="batch"/>: after the first record it lingers (unless the last batch was full), then takes
    /// what waits. Spilled records come after everything in the channel, so they are read back only once it is empty.
    /// False once the queue is complete and nothing is left.
    /// </summary>
    private async Task<bool> GatherAsync(List<QueuedRecord> batch, bool lastWasFull)
    {
        if (!queue.Reader.TryPeek(out _) && queue.TakeSpilled(batch, MaxBatchSize))
            return true;
        if (!await queue.Reader.WaitToReadAsync(CancellationToken.None))
            return queue.TakeSpilled(batch, MaxBatchSize);
        if (!lastWasFull && !queue.Reader.Completion.IsCompleted)
            await Task.Delay(Linger, time, CancellationToken.None);
        while (batch.Count < MaxBatchSize && queue.Reader.TryRead(out var record))
            batch.Add(record);
        return true;
    }

    /// <summary>Writes one shaped batch, retrying with exponential backoff. False only when shutdown abandoned it.</summary>
    private async Task<bool> WriteAsync(List<QueuedRecord> batch, AuditBatch shaped)
    {
        var backoff = FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            var started = time.GetTimestamp();
            try
            {
                await store.AppendAsync(shaped, CancellationToken.None);
                metrics.AuditBatchWritten(ok: true, time.GetElapsedTime(started));
                queue.Committed(batch);
                if (attempt > 1)
                    LogBatchRecovered(batch.Count, attempt);
                return true;
            }
            catch (Exception exception) when (!_abandon.IsCancellationRequested)
            {
                metrics.AuditBatchWritten(ok: false, time.GetElapsedTime(started));
                LogBatchFailed(batch.Count, attempt, backoff.TotalMilliseconds, exception);
                try
                {
                    await Task.Delay(backoff, time, _abandon.Token);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed to write {Count} audit records (attempt {Attempt}); retrying in {BackoffMs} ms")]
    private partial void LogBatchFailed(int count, int attempt, double backoffMs, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Count} delayed audit records after {Attempts} attempts")]
    private partial void LogBatchRecovered(int count, int attempts);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Shutdown gave up draining the audit queue with {Depth} records still waiting; the database never recovered")]
    private partial void LogDrainAbandoned(int depth);
}
