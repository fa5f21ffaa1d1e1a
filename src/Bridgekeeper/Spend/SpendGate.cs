using Bridgekeeper.Auth;
using Bridgekeeper.Providers;

namespace Bridgekeeper.Spend;

/// <summary>
/// Spend control before a request goes upstream, in order: the model allowlists (<see cref="ModelAccess"/>, from the
/// cache), the rate limits (<see cref="RateLimiter"/>, mostly local), then the budgets (<see cref="BudgetGate"/>, a
/// reservation in the database). A request none of them applies to costs a few dictionary reads. What a request was
/// admitted with is settled when it ends, whatever became of it.
/// </summary>
internal sealed class SpendGate(SpendBook book, ModelAccess access, RateLimiter limiter, BudgetGate budgets)
{
    /// <summary>The input tokens a request is estimated at before it is sent: one per 4 bytes of body, an over-estimate for JSON.</summary>
    public static long InputTokens(long bodyBytes) => (bodyBytes + 3) / 4;

    /// <summary>Admits the request, or refuses it (403 for a model no allowlist allows, 429 over a limit or a budget, each with a message for the person reading the agent's output).</summary>
    /// <param name="models">The request's model names, the client's first (<see cref="ModelAccess"/>).</param>
    /// <param name="pricedModel">The model its cost is estimated at.</param>
    public async ValueTask<(SpendTicket? Ticket, GatewayError? Refusal)> AdmitAsync(GatewayUser user, IReadOnlyList<string> models, string pricedModel,
        long bodyBytes, long? maxOutputTokens, CancellationToken cancellationToken)
    {
        if (access.Check(user, models) is { } forbidden)
            return (null, forbidden);
        var limits = await limiter.AdmitAsync(book.LimitsFor(user), InputTokens(bodyBytes), cancellationToken);
        if (limits?.Refusal is { } limited)
            return (null, limited);
        BudgetAdmission? budget;
        try
        {
            budget = await budgets.AdmitAsync(user, pricedModel, bodyBytes, maxOutputTokens, cancellationToken);
        }
        catch
        {
            Refund(limits);
            throw;
        }
        if (budget?.Refusal is { } overBudget)
        {
            Refund(limits);
            return (null, overBudget);
        }
        return limits?.Ticket is null && budget?.Ticket is null ? (null, null) : (new SpendTicket(budget?.Ticket, limits?.Ticket), null);
    }

    /// <summary>Settles the request's budgets at its cost (its rate limits are corrected with <see cref="RateLimiter.Settle"/>, before its record ends).</summary>
    public Task SettleAsync(BudgetTicket ticket, decimal costUsd) => budgets.SettleAsync(ticket, costUsd);

    /// <summary>A request admitted by the limits and then refused sent nothing upstream: its token estimate is given back (the request itself still counts).</summary>
    private static void Refund(RateAdmission? limits)
    {
        if (limits?.Ticket is { } ticket)
            RateLimiter.Settle(ticket, 0);
    }
}

/// <summary>What a request was admitted with: its budget reservations and its rate-limit charges, either may be null.</summary>
internal sealed record SpendTicket(BudgetTicket? Budget, RateTicket? Limits);
