using Bridgekeeper.Auth;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Spend;

/// <summary>
/// Budgets, rate limits, model allowlists and group memberships, cached, so that a request of a user none of them
/// applies to never touches the database. <see cref="SpendService"/> reloads it every <see cref="RefreshInterval"/>
/// (changes on another replica apply within that), and a change made through this process reloads it at once
/// (<see cref="ReloadAsync"/>).
/// </summary>
internal sealed class SpendBook(BudgetStore budgets, GroupStore groups, RateLimitStore policies)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private static readonly IReadOnlySet<Guid> NoGroups = new HashSet<Guid>();
    private volatile Snapshot _current = Snapshot.Empty;

    /// <summary>Every budget that applies to a request of <paramref name="user"/>: theirs, their key's and their groups'.</summary>
    public IReadOnlyList<(BudgetRow Budget, string Member, string Subject)> For(GatewayUser user) =>
        Applicable(_current, static s => s.Budgets, user, static b => (b.Scope, b.SubjectId, b.PerMember));

    /// <summary>The rate limits on <paramref name="user"/>, on their key and on their groups, as <see cref="Applicable"/> gives them.</summary>
    public IReadOnlyList<(RateLimitRow Limit, string Member, string Subject)> LimitsFor(GatewayUser user) =>
        Applicable(_current, static s => s.Limits, user, static l => (l.Scope, l.SubjectId, l.PerMember));

    /// <summary>
    /// The rows (budgets or limits) on <paramref name="user"/>, on their key and on their groups, each
    /// with the member it counts for (their id, for a group's applied to each member; else empty) and whom it is on, as
    /// messages name it.
    /// </summary>
    private static List<(T Row, string Member, string Subject)> Applicable<T>(Snapshot snapshot, Func<Snapshot, IReadOnlyList<T>> rowsOf, GatewayUser user,
        Func<T, (string Scope, Guid SubjectId, bool PerMember)> on)
    {
        var rows = rowsOf(snapshot);             // one snapshot: its rows and its group names agree
        if (rows.Count == 0)
            return [];
        var groupsOfUser = snapshot.GroupsOf.GetValueOrDefault(user.Id) ?? NoGroups;
        var applicable = new List<(T, string, string)>();
        foreach (var row in rows)
        {
            var (scope, subjectId, perMember) = on(row);
            if (scope == BudgetScopes.Group && groupsOfUser.Contains(subjectId))
                applicable.Add(perMember
                    ? (row, user.Id.ToString("D"), $"each member of group '{snapshot.GroupNames[subjectId]}'")
                    : (row, "", $"group '{snapshot.GroupNames[subjectId]}'"));
            else if (Subject(scope, subjectId, user) is { } subject)
                applicable.Add((row, "", subject));
        }
        return applicable;
    }

    /// <summary>
    /// The allowlists a request of <paramref name="user"/> must pass: their key's, if it has one, and their groups'
    /// (any one of which may allow the model), if any of their groups has one.
    /// </summary>
    public (AllowlistRow? Key, IReadOnlyList<(AllowlistRow List, string Group)> Groups) AllowlistsFor(GatewayUser user)
    {
        var snapshot = _current;
        if (snapshot.Allowlists.Count == 0)
            return (null, []);
        var groupsOfUser = snapshot.GroupsOf.GetValueOrDefault(user.Id) ?? NoGroups;
        AllowlistRow? key = null;
        var ofGroups = new List<(AllowlistRow, string)>();
        foreach (var list in snapshot.Allowlists)
        {
            if (list.Scope == BudgetScopes.Key && list.SubjectId == user.KeyId)
                key = list;
            else if (list.Scope == BudgetScopes.Group && groupsOfUser.Contains(list.SubjectId))
                ofGroups.Add((list, snapshot.GroupNames.GetValueOrDefault(list.SubjectId, "")));
        }
        return (key, ofGroups);
    }

    /// <summary>The pooled group budgets as last read, with their groups' names (what the remaining-budget gauge shows).</summary>
    public IReadOnlyList<(BudgetRow Budget, string Group)> PooledGroupBudgets()
    {
        var snapshot = _current;
        return [.. snapshot.Budgets.Where(b => b.Scope == BudgetScopes.Group && !b.PerMember)
            .Select(b => (b, snapshot.GroupNames.GetValueOrDefault(b.SubjectId, "")))];
    }

    /// <summary>Reads budgets, limits, allowlists and memberships again; until the first read succeeds, none applies.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var rows = await budgets.ListAsync(cancellationToken);
        var limits = await policies.ListLimitsAsync(cancellationToken);
        var allowlists = await policies.ListAllowlistsAsync(cancellationToken);
        var names = (await groups.ListAsync(cancellationToken)).ToDictionary(g => g.Id, g => g.Name);
        var groupsOf = (await groups.MembershipsAsync(cancellationToken))
            .GroupBy(m => m.User)
            .ToDictionary(g => g.Key, g => (IReadOnlySet<Guid>)g.Select(m => m.Group).ToHashSet());
        _current = new Snapshot(rows, limits, allowlists, names, groupsOf);
    }

    /// <summary>How a budget or limit on a user or a key names its subject, when it is <paramref name="user"/> or their key; else null.</summary>
    private static string? Subject(string scope, Guid subjectId, GatewayUser user) => scope switch
    {
        BudgetScopes.User when subjectId == user.Id => $"user '{user.Name}'",
        BudgetScopes.Key when subjectId == user.KeyId => "this key",
        _ => null,
    };

    private sealed record Snapshot(IReadOnlyList<BudgetRow> Budgets, IReadOnlyList<RateLimitRow> Limits, IReadOnlyList<AllowlistRow> Allowlists,
        IReadOnlyDictionary<Guid, string> GroupNames, IReadOnlyDictionary<Guid, IReadOnlySet<Guid>> GroupsOf)
    {
        public static readonly Snapshot Empty = new([], [], [], new Dictionary<Guid, string>(), new Dictionary<Guid, IReadOnlySet<Guid>>());
    }
}
