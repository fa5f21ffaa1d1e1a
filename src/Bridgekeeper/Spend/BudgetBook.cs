using Bridgekeeper.Auth;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Spend;

/// <summary>
/// The budgets and group memberships, cached, so that a request of a user without budgets never touches the database.
/// <see cref="SpendService"/> reloads it every <see cref="RefreshInterval"/> (changes on another replica apply within
/// that), and a change made through this process reloads it at once (<see cref="ReloadAsync"/>).
/// </summary>
internal sealed class BudgetBook(BudgetStore budgets, GroupStore groups)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private static readonly IReadOnlySet<Guid> NoGroups = new HashSet<Guid>();
    private volatile Snapshot _current = Snapshot.Empty;

    /// <summary>Every budget that applies to a request of <paramref name="user"/>: theirs, their key's and their groups'.</summary>
    public IReadOnlyList<(BudgetRow Budget, string Member, string Subject)> For(GatewayUser user)
    {
        var snapshot = _current;
        if (snapshot.Budgets.Count == 0)
            return [];
        var groupsOfUser = snapshot.GroupsOf.GetValueOrDefault(user.Id) ?? NoGroups;
        var applicable = new List<(BudgetRow, string, string)>();
        foreach (var budget in snapshot.Budgets)
        {
            if (budget.Scope == BudgetScopes.User && budget.SubjectId == user.Id)
                applicable.Add((budget, "", $"user '{user.Name}'"));
            else if (budget.Scope == BudgetScopes.Key && budget.SubjectId == user.KeyId)
                applicable.Add((budget, "", "this key"));
            else if (budget.Scope == BudgetScopes.Group && groupsOfUser.Contains(budget.SubjectId))
                applicable.Add(budget.PerMember
                    ? (budget, user.Id.ToString("D"), $"each member of group '{snapshot.GroupNames[budget.SubjectId]}'")
                    : (budget, "", $"group '{snapshot.GroupNames[budget.SubjectId]}'"));
        }
        return applicable;
    }

    /// <summary>The pooled group budgets as last read, with their groups' names (what the remaining-budget gauge shows).</summary>
    public IReadOnlyList<(BudgetRow Budget, string Group)> PooledGroupBudgets()
    {
        var snapshot = _current;
        return [.. snapshot.Budgets.Where(b => b.Scope == BudgetScopes.Group && !b.PerMember)
            .Select(b => (b, snapshot.GroupNames.GetValueOrDefault(b.SubjectId, "")))];
    }

    /// <summary>Reads budgets and memberships again; until the first read succeeds, no budget applies.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var rows = await budgets.ListAsync(cancellationToken);
        var names = (await groups.ListAsync(cancellationToken)).ToDictionary(g => g.Id, g => g.Name);
        var groupsOf = (await groups.MembershipsAsync(cancellationToken))
            .GroupBy(m => m.User)
            .ToDictionary(g => g.Key, g => (IReadOnlySet<Guid>)g.Select(m => m.Group).ToHashSet());
        _current = new Snapshot(rows, names, groupsOf);
    }

    private sealed record Snapshot(IReadOnlyList<BudgetRow> Budgets, IReadOnlyDictionary<Guid, string> GroupNames,
        IReadOnlyDictionary<Guid, IReadOnlySet<Guid>> GroupsOf)
    {
        public static readonly Snapshot Empty = new([], new Dictionary<Guid, string>(), new Dictionary<Guid, IReadOnlySet<Guid>>());
    }
}
