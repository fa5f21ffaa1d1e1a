using System.Globalization;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Api;

/// <summary>The stores spend control is managed through (the REST API takes them from DI, the CLI opens them on its database).</summary>
internal sealed record SpendStores(UserStore Users, GroupStore Groups, BudgetStore Budgets, RateLimitStore Policies);

/// <summary>Groups and budgets: the validation and the views the REST API and the CLI share.</summary>
internal static class SpendAccounts
{
    /// <summary>The stores on <paramref name="database"/> (the CLI's; the REST API takes the gateway's from DI).</summary>
    public static SpendStores Stores(Database database) =>
        new(new UserStore(database, TimeProvider.System), new GroupStore(database, TimeProvider.System), new BudgetStore(database, TimeProvider.System),
            new RateLimitStore(database, TimeProvider.System));

    /// <summary>The largest budget accepted: a billion USD a period.</summary>
    public const decimal MaxUsd = 1_000_000_000m;

    public static async Task<(GroupRow? Group, ApiError? Error)> CreateGroupAsync(GroupStore groups, string? name, CancellationToken cancellationToken)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || !Accounts.IsName(name))
            return (null, ApiError.BadRequest($"name must be 1 to 64 letters, digits, '.', '_', '-' or '@'; got '{name}'."));
        try
        {
            return (await groups.CreateAsync(name, cancellationToken), null);
        }
        catch (DuplicateNameException)
        {
            return (null, ApiError.Conflict($"A group named '{name}' already exists."));
        }
    }

    /// <summary>Adds (or with <paramref name="add"/> false, removes) a member; the group as it is afterwards.</summary>
    public static async Task<(GroupRow? Group, ApiError? Error)> ChangeMemberAsync(GroupStore groups, UserStore users, string groupName, string userName,
        bool add, CancellationToken cancellationToken)
    {
        if (await groups.FindAsync(groupName, cancellationToken) is not { } group)
            return (null, ApiError.NotFound($"No group named '{groupName}'."));
        if (await users.FindUserAsync(userName, cancellationToken) is not { } user)
            return (null, ApiError.NotFound($"No user named '{userName}'."));
        var changed = add ? await groups.AddAsync(group.Id, user.Id, cancellationToken) : await groups.RemoveAsync(group.Id, user.Id, cancellationToken);
        if (!changed && !add)
            return (null, ApiError.NotFound($"User '{userName}' is not a member of group '{groupName}'."));
        return (await groups.FindAsync(groupName, cancellationToken), null);
    }

    /// <summary>Sets a budget on exactly one of a user, a group or a key.</summary>
    public static async Task<(BudgetRow? Budget, ApiError? Error)> CreateBudgetAsync(SpendStores stores, BudgetRequest request,
        CancellationToken cancellationToken)
    {
        var named = new[] { request.User, request.Group, request.Key }.Count(s => !string.IsNullOrWhiteSpace(s));
        if (named != 1)
            return (null, ApiError.BadRequest("Name exactly one of user, group or key."));
        if (request.Usd is not { } usd || usd <= 0 || usd > MaxUsd)
            return (null, ApiError.BadRequest($"usd must be more than 0 and at most {MaxUsd.ToString(CultureInfo.InvariantCulture)}."));
        var period = request.Period?.Trim();
        if (!BudgetPeriods.IsValid(period))
            return (null, ApiError.BadRequest($"period must be {BudgetPeriods.Day}, {BudgetPeriods.Week} or {BudgetPeriods.Month}; got '{period}'."));
        if (request.PerMember && string.IsNullOrWhiteSpace(request.Group))
            return (null, ApiError.BadRequest("per_member applies to a group budget only."));
        var (scope, subject, error) = await SubjectAsync(stores, request.User, request.Group, request.Key, cancellationToken);
        if (error is not null)
            return (null, error);
        var budget = await stores.Budgets.CreateAsync(scope, subject, Nanos.FromUsd(usd), period!, request.PerMember, cancellationToken);
        return (budget, null);
    }

    /// <summary>Deletes a budget by its id (as text, from a route or the command line).</summary>
    public static async Task<ApiError?> DeleteBudgetAsync(BudgetStore budgets, string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var budgetId))
            return ApiError.BadRequest($"'{id}' is not a budget id.");
        return await budgets.DeleteAsync(budgetId, cancellationToken) ? null : ApiError.NotFound($"No budget with id '{id}'.");
    }

    /// <summary>
    /// The budgets as shown, each with its account in the current period: one for a budget on a user, a key or a pooled
    /// group, one per member for a group budget applied to each member. <paramref name="caller"/> narrows the list to the
    /// budgets that apply to that user (their accounts only).
    /// </summary>
    public static async Task<IReadOnlyList<BudgetDto>> DescribeAsync(SpendStores stores, DateTimeOffset now, (Guid User, Guid Key)? caller,
        CancellationToken cancellationToken)
    {
        var budgets = await stores.Budgets.ListAsync(cancellationToken);
        if (budgets.Count == 0)
            return [];
        var users = (await stores.Users.ListUsersAsync(cancellationToken)).ToDictionary(u => u.Id, u => u.Name);
        var groups = (await stores.Groups.ListAsync(cancellationToken)).ToDictionary(g => g.Id, g => g.Name);
        var members = (await stores.Groups.MembershipsAsync(cancellationToken)).ToLookup(m => m.Group, m => m.User);
        var spend = await stores.Budgets.SpendSinceAsync(BudgetPeriods.EarliestCurrentStart(now), cancellationToken);
        var shown = new List<BudgetDto>();
        foreach (var budget in budgets)
        {
            var applies = caller is not { } c || budget.Scope switch
            {
                BudgetScopes.User => budget.SubjectId == c.User,
                BudgetScopes.Key => budget.SubjectId == c.Key,
                _ => members[budget.SubjectId].Contains(c.User),
            };
            if (!applies)
                continue;
            var start = BudgetPeriods.Start(budget.Period, now);
            IEnumerable<Guid?> accounts = !budget.PerMember ? [null]
                : caller is { } only ? [only.User] : members[budget.SubjectId].Select(m => (Guid?)m);
            var current = accounts.Select(member =>
            {
                var (spent, reserved) = BudgetSpend.Current(spend, budget, member?.ToString("D") ?? "", now);
                return new BudgetAccountDto(member is { } m ? users.GetValueOrDefault(m) : null, start, BudgetPeriods.End(budget.Period, start),
                    Nanos.ToUsd(spent), Nanos.ToUsd(reserved), Nanos.ToUsd(Math.Max(0, budget.LimitNanos - spent - reserved)));
            }).ToList();
            var subject = SubjectName(budget.Scope, budget.SubjectId, users, groups);
            shown.Add(new BudgetDto(budget.Id, budget.Scope, subject, Nanos.ToUsd(budget.LimitNanos), budget.Period, budget.PerMember, budget.CreatedAt, current));
        }
        return shown;
    }

    /// <summary>The one subject named, as a scope and an id: a user or a group by name, a key by id (the caller checked exactly one is named).</summary>
    public static async Task<(string Scope, Guid Subject, ApiError? Error)> SubjectAsync(SpendStores stores, string? user, string? group, string? key,
        CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(user))
            return await stores.Users.FindUserAsync(user.Trim(), cancellationToken) is { } found
                ? (BudgetScopes.User, found.Id, null)
                : ("", Guid.Empty, ApiError.NotFound($"No user named '{user}'."));
        if (!string.IsNullOrWhiteSpace(group))
            return await stores.Groups.FindAsync(group.Trim(), cancellationToken) is { } named
                ? (BudgetScopes.Group, named.Id, null)
                : ("", Guid.Empty, ApiError.NotFound($"No group named '{group}'."));
        if (!Guid.TryParse(key, out var keyId))
            return ("", Guid.Empty, ApiError.BadRequest($"'{key}' is not a key id."));
        return await stores.Users.KeyExistsAsync(keyId, cancellationToken)
            ? (BudgetScopes.Key, keyId, null)
            : ("", Guid.Empty, ApiError.NotFound($"No key with id '{key}'."));
    }

    /// <summary>How a list shows a subject: a user's or a group's name, a key's id.</summary>
    public static string SubjectName(string scope, Guid subject, IReadOnlyDictionary<Guid, string> users, IReadOnlyDictionary<Guid, string> groups) => scope switch
    {
        BudgetScopes.User => users.GetValueOrDefault(subject, subject.ToString()),
        BudgetScopes.Group => groups.GetValueOrDefault(subject, subject.ToString()),
        _ => subject.ToString(),
    };
}
