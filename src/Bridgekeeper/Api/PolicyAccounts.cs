using Bridgekeeper.Spend;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Api;

/// <summary>Rate limits and model allowlists: the validation and the views the REST API, the CLI and the YAML settings share.</summary>
internal static class PolicyAccounts
{
    /// <summary>The highest rate accepted, per minute.</summary>
    public const long MaxRate = 1_000_000_000;

    /// <summary>The most patterns an allowlist holds.</summary>
    public const int MaxPatterns = 100;

    /// <summary>Sets (replaces) the limit on exactly one of a user, a group or a key.</summary>
    public static async Task<(RateLimitRow? Limit, ApiError? Error)> SetLimitAsync(SpendStores stores, LimitRequest request, CancellationToken cancellationToken)
    {
        if (new[] { request.User, request.Group, request.Key }.Count(s => !string.IsNullOrWhiteSpace(s)) != 1)
            return (null, ApiError.BadRequest("Name exactly one of user, group or key."));
        if (request.PerMember && string.IsNullOrWhiteSpace(request.Group))
            return (null, ApiError.BadRequest("per_member applies to a group limit only."));
        if (request.Rpm is null && request.Tpm is null)
            return (null, ApiError.BadRequest("Give rpm, tpm or both; to remove a limit, delete it."));
        foreach (var (name, value) in new[] { ("rpm", request.Rpm), ("tpm", request.Tpm) })
            if (value is < 1 or > MaxRate)
                return (null, ApiError.BadRequest($"{name} must be at least 1 and at most {MaxRate}; got {value}."));
        var (scope, subject, error) = await SpendAccounts.SubjectAsync(stores, request.User, request.Group, request.Key, cancellationToken);
        return error is not null ? (null, error)
            : (await stores.Policies.SetLimitAsync(scope, subject, request.Rpm, request.Tpm, request.PerMember, cancellationToken), null);
    }

    /// <summary>Sets (replaces) the allowlist of exactly one of a group or a key.</summary>
    public static async Task<(AllowlistRow? Allowlist, ApiError? Error)> SetAllowlistAsync(SpendStores stores, AllowlistRequest request,
        CancellationToken cancellationToken)
    {
        if (new[] { request.Group, request.Key }.Count(s => !string.IsNullOrWhiteSpace(s)) != 1)
            return (null, ApiError.BadRequest("Name exactly one of group or key."));
        var patterns = (request.Models ?? []).Select(p => p.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (patterns.Count is 0 or > MaxPatterns)
            return (null, ApiError.BadRequest($"Give 1 to {MaxPatterns} model patterns; to allow every model, delete the allowlist."));
        if (patterns.Select(ModelAccess.Problem).FirstOrDefault(p => p is not null) is { } problem)
            return (null, ApiError.BadRequest(problem));
        var (scope, subject, error) = await SpendAccounts.SubjectAsync(stores, null, request.Group, request.Key, cancellationToken);
        return error is not null ? (null, error) : (await stores.Policies.SetAllowlistAsync(scope, subject, patterns, cancellationToken), null);
    }

    /// <summary>Deletes a limit or an allowlist by its id (as text, from a route or the command line).</summary>
    public static async Task<ApiError?> DeleteAsync(RateLimitStore policies, PolicyTable table, string id, CancellationToken cancellationToken)
    {
        var what = table == PolicyTable.Limits ? "limit" : "allowlist";
        if (!Guid.TryParse(id, out var policyId))
            return ApiError.BadRequest($"'{id}' is not a {what} id.");
        return await policies.DeleteAsync(table, policyId, cancellationToken) ? null : ApiError.NotFound($"No {what} with id '{id}'.");
    }

    /// <summary>The limits as shown; <paramref name="caller"/> narrows them to the ones on that user, their key and their groups.</summary>
    public static async Task<IReadOnlyList<LimitDto>> LimitsAsync(SpendStores stores, (Guid User, Guid Key)? caller, CancellationToken cancellationToken)
    {
        var all = await stores.Policies.ListLimitsAsync(cancellationToken);
        if (all.Count == 0)
            return [];
        var mine = await GroupsOfAsync(stores, caller, cancellationToken);
        var (users, groups) = await NamesAsync(stores, cancellationToken);
        return [.. all.Where(l => Applies(l.Scope, l.SubjectId, caller, mine)).Select(l => new LimitDto(l.Id, l.Scope,
            SpendAccounts.SubjectName(l.Scope, l.SubjectId, users, groups), l.Rpm, l.Tpm, l.PerMember, l.CreatedAt))];
    }

    /// <summary>The allowlists as shown; <paramref name="caller"/> narrows them to the ones on that key and that user's groups.</summary>
    public static async Task<IReadOnlyList<AllowlistDto>> AllowlistsAsync(SpendStores stores, (Guid User, Guid Key)? caller, CancellationToken cancellationToken)
    {
        var lists = await stores.Policies.ListAllowlistsAsync(cancellationToken);
        if (lists.Count == 0)
            return [];
        var mine = await GroupsOfAsync(stores, caller, cancellationToken);
        var (users, groups) = await NamesAsync(stores, cancellationToken);
        return [.. lists.Where(l => Applies(l.Scope, l.SubjectId, caller, mine))
            .Select(l => new AllowlistDto(l.Id, l.Scope, SpendAccounts.SubjectName(l.Scope, l.SubjectId, users, groups), l.Patterns, l.CreatedAt))];
    }

    private static bool Applies(string scope, Guid subject, (Guid User, Guid Key)? caller, IReadOnlySet<Guid>? groupsOfCaller) => caller is not { } c || scope switch
    {
        BudgetScopes.User => subject == c.User,
        BudgetScopes.Key => subject == c.Key,
        _ => groupsOfCaller?.Contains(subject) == true,
    };

    /// <summary>The caller's groups' ids; null for no caller (everything is shown).</summary>
    private static async Task<IReadOnlySet<Guid>?> GroupsOfAsync(SpendStores stores, (Guid User, Guid Key)? caller, CancellationToken cancellationToken) =>
        caller is { } c ? (await stores.Groups.MembershipsAsync(cancellationToken)).Where(m => m.User == c.User).Select(m => m.Group).ToHashSet() : null;

    private static async Task<(IReadOnlyDictionary<Guid, string> Users, IReadOnlyDictionary<Guid, string> Groups)> NamesAsync(SpendStores stores,
        CancellationToken cancellationToken) =>
        ((await stores.Users.ListUsersAsync(cancellationToken)).ToDictionary(u => u.Id, u => u.Name),
            (await stores.Groups.ListAsync(cancellationToken)).ToDictionary(g => g.Id, g => g.Name));
}
