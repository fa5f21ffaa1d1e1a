using System.Globalization;

namespace Bridgekeeper.Storage;

/// <summary>What a budget is set on (SPEC §1: <c>--user</c>, <c>--group</c>, <c>--key</c>).</summary>
internal static class BudgetScopes
{
    public const string User = "user";
    public const string Group = "group";
    public const string Key = "key";
}

/// <summary>Budget periods: UTC calendar days, ISO weeks (from Monday) and calendar months.</summary>
internal static class BudgetPeriods
{
    public const string Day = "day";
    public const string Week = "week";
    public const string Month = "month";

    public static bool IsValid(string? period) => period is Day or Week or Month;

    /// <summary>When the period holding <paramref name="now"/> began.</summary>
    public static DateTimeOffset Start(string period, DateTimeOffset now)
    {
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return period switch
        {
            Day => day,
            Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
            Month => new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero),
            _ => throw new ArgumentException($"'{period}' is not a budget period.", nameof(period)),
        };
    }

    /// <summary>The earliest a current period of any kind can have begun (a week can begin in the month before).</summary>
    public static DateTimeOffset EarliestCurrentStart(DateTimeOffset now) => Start(Month, now).AddDays(-7);

    /// <summary>When the period that began at <paramref name="start"/> ends (the next one begins).</summary>
    public static DateTimeOffset End(string period, DateTimeOffset start) => period switch
    {
        Day => start.AddDays(1),
        Week => start.AddDays(7),
        _ => start.AddMonths(1),
    };
}

/// <summary>USD as integer nano-dollars (1e-9), so budget sums are exact on both databases. Costs round up.</summary>
internal static class Nanos
{
    private const decimal PerUsd = 1_000_000_000m;

    public static long FromUsd(decimal usd) => (long)decimal.Ceiling(usd * PerUsd);

    public static decimal ToUsd(long nanos) => nanos / PerUsd;

    public static string Format(long nanos) => ToUsd(nanos).ToString("0.00####", CultureInfo.InvariantCulture);
}

/// <summary>A budget: <see cref="LimitNanos"/> per <see cref="Period"/> on a user, a group (pooled, or <see cref="PerMember"/>) or a key.</summary>
internal sealed record BudgetRow(Guid Id, string Scope, Guid SubjectId, long LimitNanos, string Period, bool PerMember, DateTimeOffset CreatedAt);

/// <summary>A budget's account for one member ('' when pooled) and period.</summary>
internal sealed record BudgetSpend(Guid BudgetId, string Member, DateTimeOffset PeriodStart, long SpentNanos, long ReservedNanos)
{
    /// <summary>What <paramref name="member"/>'s account of <paramref name="budget"/> holds in its current period (0 and 0 when it has none yet).</summary>
    public static (long Spent, long Reserved) Current(IEnumerable<BudgetSpend> accounts, BudgetRow budget, string member, DateTimeOffset now)
    {
        var start = BudgetPeriods.Start(budget.Period, now);
        var account = accounts.FirstOrDefault(a => a.BudgetId == budget.Id && a.Member == member && a.PeriodStart == start);
        return (account?.SpentNanos ?? 0, account?.ReservedNanos ?? 0);
    }
}

/// <summary>What one admitted request holds against one budget, from admission until it settles.</summary>
internal readonly record struct BudgetHold(Guid ReservationId, BudgetRow Budget, string Member, DateTimeOffset PeriodStart, long AmountNanos);
