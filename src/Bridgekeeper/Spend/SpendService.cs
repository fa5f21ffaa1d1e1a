using System.Diagnostics.Metrics;
using Bridgekeeper.Metrics;
using Bridgekeeper.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Spend;

/// <summary>
/// Keeps spend control current in the background, never on a request: reloads the <see cref="SpendBook"/>, beats this
/// replica's heartbeat, releases the reservations of replicas that stopped beating (a killed process), retries
/// settlements the database refused, charges rate-limit debts and gives back idle leases, and keeps the remaining-budget gauge. At start-up it does all of it once before
/// the gateway serves, so budgets apply from the first request and a restarted replica's stranded reservations go.
/// </summary>
internal sealed partial class SpendService(SpendBook book, BudgetGate gate, BudgetLedger ledger, BudgetStore budgets, RateLimiter limiter,
    TimeProvider time, BridgekeeperMetrics metrics, ILogger<SpendService> logger) : BackgroundService
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    /// <summary>A replica whose heartbeat is older than this is taken for dead and its reservations are released.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);

    private volatile IReadOnlyList<Measurement<double>> _remaining = [];

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.ObserveBudgets(() => _remaining);
        await TickAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await gate.RetryUnsettledAsync(cancellationToken);
        await limiter.FlushAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            await TickAsync(stoppingToken);
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ledger.HeartbeatAsync(gate.Replica, cancellationToken);
            await book.ReloadAsync(cancellationToken);
            if (await ledger.ReleaseStrandedAsync(time.GetUtcNow() - StaleAfter, cancellationToken) is > 0 and var released)
            {
                metrics.BudgetReservationsReleased(released);
                LogReleased(released);
            }
            await gate.RetryUnsettledAsync(cancellationToken);
            await limiter.FlushAsync(cancellationToken);
            _remaining = await RemainingAsync(cancellationToken);
        }
        catch (System.Data.Common.DbException exception)
        {
            LogTickFailed(exception.Message);
        }
    }

    /// <summary>
    /// Each pooled group budget's USD left in its current period, labelled by group and period: the budgets as the book
    /// just read them, and one read of the accounts.
    /// </summary>
    private async Task<IReadOnlyList<Measurement<double>>> RemainingAsync(CancellationToken cancellationToken)
    {
        var pooled = book.PooledGroupBudgets();
        if (pooled.Count == 0)
            return [];
        var now = time.GetUtcNow();
        var spend = await budgets.SpendSinceAsync(BudgetPeriods.EarliestCurrentStart(now), cancellationToken);
        return [.. pooled.Select(p =>
        {
            var (spent, reserved) = BudgetSpend.Current(spend, p.Budget, "", now);
            return new Measurement<double>((double)Nanos.ToUsd(p.Budget.LimitNanos - spent - reserved), new("group", p.Group), new("period", p.Budget.Period));
        })];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Released {Count} budget reservations of replicas that stopped without settling them")]
    private partial void LogReleased(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spend control could not reach the database ({Reason}); budgets stay as last read")]
    private partial void LogTickFailed(string reason);
}
