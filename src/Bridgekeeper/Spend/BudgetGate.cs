using System.Collections.Concurrent;
using System.Globalization;
using Bridgekeeper.Auth;
using Bridgekeeper.Metrics;
using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;
using Bridgekeeper.Storage;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Spend;

/// <summary>
/// Admits requests against the budgets that apply to them (<see cref="SpendBook"/>) by reservation
/// (<see cref="BudgetLedger"/>), and settles them when they end. A request no budget applies to costs nothing here.
/// The estimate is the request's price at the model's rates for its input (<see cref="SpendGate.InputTokens"/>) and its whole output allowance (<c>max_tokens</c>, or <see cref="SpendOptions.DefaultMaxTokens"/>);
/// an unpriced model is estimated at 0 and settles at 0.
/// </summary>
internal sealed partial class BudgetGate(SpendBook book, BudgetLedger ledger, BudgetNotifier notifier, CostCalculator prices, SpendOptions options,
    TimeProvider time, BridgekeeperMetrics metrics, ILogger<BudgetGate> logger)
{
    /// <summary>
    /// Settlements the database refused, retried in the background. Bounded by the requests in flight when it failed:
    /// while it is down, no new request is admitted (the reservation needs it too).
    /// </summary>
    private readonly ConcurrentQueue<(BudgetTicket Ticket, long Nanos)> _unsettled = new();

    /// <summary>This process, as its reservations name it; its heartbeat keeps them from being swept.</summary>
    public string Replica { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>
    /// Reserves the request's estimate against every budget that applies, or refuses it (429 with <c>Retry-After</c> to
    /// the refusing budget's next period). Null when no budget applies. Database failures throw (the request fails 503).
    /// </summary>
    public async ValueTask<BudgetAdmission?> AdmitAsync(GatewayUser user, string model, long bodyBytes, long? maxOutputTokens, CancellationToken cancellationToken)
    {
        var applicable = book.For(user);
        if (applicable.Count == 0)
            return null;
        var now = time.GetUtcNow();
        var estimate = Estimate(model, bodyBytes, maxOutputTokens, now);
        var ordered = applicable
            .Select(a => (Hold: new BudgetHold(Guid.CreateVersion7(now), a.Budget, a.Member, BudgetPeriods.Start(a.Budget.Period, now), estimate), a.Subject))
            .OrderBy(h => h.Hold.Budget.Id).ThenBy(h => h.Hold.Member, StringComparer.Ordinal)       // one lock order for every request
            .ToList();
        var holds = ordered.Select(h => h.Hold).ToList();
        if (await ledger.ReserveAsync(holds, Replica, cancellationToken) is not { } refused)
        {
            metrics.BudgetAdmission("reserved");
            return new BudgetAdmission(new BudgetTicket(holds, [.. ordered.Select(h => h.Subject)]), null);
        }
        var hold = holds[refused];
        metrics.BudgetAdmission("refused", hold.Budget.Scope);
        return new BudgetAdmission(null, Refusal(hold, ordered[refused].Subject, now));
    }

    /// <summary>Settles the request's holds at its actual cost; if the database fails, the settlement is retried by <see cref="SpendService"/>.</summary>
    public async Task SettleAsync(BudgetTicket ticket, decimal costUsd)
    {
        var nanos = Nanos.FromUsd(Math.Max(costUsd, 0));
        try
        {
            var spent = await ledger.SettleAsync(ticket.Holds, nanos, CancellationToken.None);
            await notifier.AfterSettleAsync(ticket, spent);
        }
        catch (System.Data.Common.DbException exception)
        {
            LogSettleFailed(exception.Message);
            _unsettled.Enqueue((ticket, nanos));
        }
    }

    /// <summary>Retries the settlements the database refused; what fails again waits for the next call.</summary>
    public async Task RetryUnsettledAsync(CancellationToken cancellationToken)
    {
        for (var n = _unsettled.Count; n > 0 && _unsettled.TryDequeue(out var entry); n--)
        {
            try
            {
                await notifier.AfterSettleAsync(entry.Ticket, await ledger.SettleAsync(entry.Ticket.Holds, entry.Nanos, cancellationToken));
            }
            catch (System.Data.Common.DbException)
            {
                _unsettled.Enqueue(entry);
                return;
            }
        }
    }

    private long Estimate(string model, long bodyBytes, long? maxOutputTokens, DateTimeOffset now)
    {
        var usage = new TokenUsage(SpendGate.InputTokens(bodyBytes), maxOutputTokens ?? options.DefaultMaxTokens, 0, 0, 0);
        return prices.CostUsd(model, usage, now) is { } cost ? Nanos.FromUsd(cost) : 0;
    }

    private static GatewayError Refusal(BudgetHold hold, string subject, DateTimeOffset now)
    {
        var resets = BudgetPeriods.End(hold.Budget.Period, hold.PeriodStart);
        var adjective = hold.Budget.Period switch { BudgetPeriods.Day => "daily", BudgetPeriods.Week => "weekly", _ => "monthly" };
        var message = string.Create(CultureInfo.InvariantCulture,
            $"Bridgekeeper refused this request: the {adjective} budget of ${Nanos.Format(hold.Budget.LimitNanos)} for {subject} is used up. "
            + $"It resets at {resets:yyyy-MM-dd HH:mm} UTC; ask your platform team if you need more before then.");
        return new GatewayError(429, "rate_limit_error", message, "budget_exceeded") { RetryAfter = resets - now };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not settle a budget reservation ({Reason}); retrying in the background")]
    private partial void LogSettleFailed(string reason);
}

/// <summary>What a request admitted against budgets holds until it settles, and whom each budget is on (as messages name it).</summary>
internal sealed record BudgetTicket(IReadOnlyList<BudgetHold> Holds, IReadOnlyList<string> Subjects);

/// <summary>A budget admission: a ticket to settle, or the refusal to answer.</summary>
internal sealed record BudgetAdmission(BudgetTicket? Ticket, GatewayError? Refusal);

/// <summary>Settings of spend control.</summary>
/// <param name="DefaultMaxTokens">The output allowance estimated for a request that sets none (<c>budget_default_max_tokens</c>).</param>
/// <param name="WebhookUrl">Where threshold notifications are posted (<c>budget_webhook_url</c>); null: logged only.</param>
/// <param name="WebhookSecret">The HMAC key of their signature (<c>budget_webhook_secret</c>), set whenever the URL is.</param>
internal sealed record SpendOptions(long DefaultMaxTokens = 4096, Uri? WebhookUrl = null, string? WebhookSecret = null)
{
    /// <summary>The model aliases (<c>model_aliases</c>), as <c>/api/v1/me</c> and <c>/api/v1/allowlists</c> show them.</summary>
    public IReadOnlyList<ModelAlias> Aliases { get; init; } = [];

    public override string ToString() => $"SpendOptions {{ DefaultMaxTokens = {DefaultMaxTokens}, WebhookUrl = {WebhookUrl?.GetLeftPart(UriPartial.Path)} }}";
}
