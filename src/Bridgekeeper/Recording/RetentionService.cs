using Bridgekeeper.Metrics;
using Bridgekeeper.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Recording;

/// <summary>
/// Removes interceptions whose <c>started_at</c> is older than the retention period, with all their children, on a
/// schedule. It deletes in bounded batches with a pause between them, so writers are never blocked for long, and a
/// run happens once per schedule however many replicas share the database. Each run logs what it removed and what remains.
/// </summary>
internal sealed partial class RetentionService(RetentionStore store, RetentionOptions options, TimeProvider time, BridgekeeperMetrics metrics,
    ILogger<RetentionService> logger) : BackgroundService
{
    public const string JobName = "retention";
    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Retention <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(options.Interval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogRunFailed(exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Runs one retention pass if this replica wins this period's claim. Null when another replica has it.</summary>
    public async Task<RetentionRun?> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (options.Retention <= TimeSpan.Zero || !await store.TryClaimRunAsync(JobName, _owner, now, options.Interval, cancellationToken))
            return null;
        var cutoff = now - options.Retention;
        long removed = await store.DropExpiredPartitionsAsync(cutoff, now, cancellationToken);
        if (removed > 0)
            metrics.RetentionDeleted(removed);
        var batches = 0;
        for (int deleted; (deleted = await store.DeleteBatchAsync(cutoff, options.BatchSize, cancellationToken)) > 0; batches++)
        {
            removed += deleted;
            metrics.RetentionDeleted(deleted);
            if (deleted < options.BatchSize)
            {
                batches++;
                break;
            }
            await Task.Delay(options.PauseBetweenBatches, time, cancellationToken);
        }
        var remaining = await store.CountAsync(null, cancellationToken);
        var run = new RetentionRun(cutoff, removed, batches, remaining);
        await store.RecordResultAsync(JobName, $"removed {removed} in {batches} batches; {remaining} remain", cancellationToken);
        LogRun(removed, batches, remaining, cutoff);
        return run;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Removed} interceptions started before {Cutoff:o} in {Batches} batches; {Remaining} remain")]
    private partial void LogRun(long removed, int batches, long remaining, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention run failed; it will be retried at the next schedule")]
    private partial void LogRunFailed(Exception exception);
}

/// <summary>What one retention pass did.</summary>
internal sealed record RetentionRun(DateTimeOffset Cutoff, long Removed, int Batches, long Remaining);

/// <summary>How retention runs: keep <see cref="Retention"/> (zero keeps everything), check every <see cref="Interval"/>.</summary>
internal sealed record RetentionOptions(TimeSpan Retention, TimeSpan Interval, int BatchSize, TimeSpan PauseBetweenBatches);
