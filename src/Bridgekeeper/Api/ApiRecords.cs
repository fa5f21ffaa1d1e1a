using Bridgekeeper.Storage;

namespace Bridgekeeper.Api;

/// <summary><c>{"error":{"code","message"}}</c>, the shape of every REST API error (SPEC §6).</summary>
internal sealed record ErrorResponse(ErrorBody Error);

internal sealed record ErrorBody(string Code, string Message);

/// <summary><c>GET /api/v1/usage</c>: the rows, and the state of the budgets the caller may see (all for admins and auditors, their own for members).</summary>
internal sealed record UsageResponse(IReadOnlyList<UsageRow> Rows, IReadOnlyList<BudgetDto> Budgets);

/// <summary><c>GET /api/v1/usage/summary</c>: <see cref="UsageSummary"/>'s rows, and the budgets as in <see cref="UsageResponse"/>.</summary>
internal sealed record UsageSummaryResponse(IReadOnlyList<UsageRow> ByTime, IReadOnlyList<UsageRow> ByProvider, IReadOnlyList<UsageRow> ByModel,
    IReadOnlyList<UsageRow> ByClient, IReadOnlyList<UsageRow> ByUser, IReadOnlyList<BudgetDto> Budgets)
{
    public static UsageSummaryResponse From(UsageSummary summary, IReadOnlyList<BudgetDto> budgets) =>
        new(summary.ByTime, summary.ByProvider, summary.ByModel, summary.ByClient, summary.ByUser, budgets);
}

/// <summary>A user as the API and the CLI show it.</summary>
internal sealed record UserDto(Guid Id, string Name, string? Email, string Role, DateTimeOffset CreatedAt)
{
    public static UserDto From(UserRow row) => new(row.Id, row.Name, row.Email, row.Role, row.CreatedAt);
}

/// <summary><c>GET /api/v1/users</c>.</summary>
internal sealed record UserListResponse(IReadOnlyList<UserDto> Users);

/// <summary><c>POST /api/v1/users</c>; role defaults to member.</summary>
internal sealed record CreateUserRequest(string? Name, string? Role, string? Email);

/// <summary><c>POST /api/v1/users/{name}/keys</c>; <see cref="Expires"/> is a duration such as <c>90d</c>; absent or <c>0</c> never expires.</summary>
internal sealed record CreateKeyRequest(string? Label, string? Expires);

/// <summary>A new key. The only place the secret <see cref="Key"/> is ever shown.</summary>
internal sealed record CreatedKeyResponse(Guid Id, string User, string? Label, string Key, string Hint, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary><c>GET /api/v1/me</c>: the caller, their groups, and the budgets that apply to them with their accounts now.</summary>
internal sealed record MeResponse(Guid Id, string Name, string Role, IReadOnlyList<string> Groups, IReadOnlyList<BudgetDto> Budgets,
    IReadOnlyList<LimitDto> Limits, IReadOnlyList<AllowlistDto> Allowlists, IReadOnlyList<AliasDto> Aliases);

/// <summary><c>POST /api/v1/session</c>: the dashboard's sign-in.</summary>
internal sealed record SignInRequest(string? Key);

/// <summary>
/// <c>/api/v1/session</c>: who is signed in, and the token that changes made with the session cookie send as
/// <c>X-CSRF-Token</c> (null when the request carried its own key).
/// </summary>
internal sealed record BrowserSessionResponse(UserRef User, string Role, string? CsrfToken);

/// <summary><c>PATCH /api/v1/users/{name}</c>.</summary>
internal sealed record SetRoleRequest(string? Role);

/// <summary>A key as listed: never its secret.</summary>
internal sealed record KeyDto(Guid Id, string? Label, string Hint, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    public static KeyDto From(KeyRow row) => new(row.Id, row.Label, row.Hint, row.CreatedAt, row.ExpiresAt, row.RevokedAt);
}

/// <summary><c>GET /api/v1/users/{name}/keys</c>.</summary>
internal sealed record KeyListResponse(IReadOnlyList<KeyDto> Keys);

/// <summary>A group and its members' names.</summary>
internal sealed record GroupDto(Guid Id, string Name, IReadOnlyList<string> Members, DateTimeOffset CreatedAt)
{
    public static GroupDto From(GroupRow row) => new(row.Id, row.Name, row.Members, row.CreatedAt);
}

/// <summary><c>GET /api/v1/groups</c>.</summary>
internal sealed record GroupListResponse(IReadOnlyList<GroupDto> Groups);

/// <summary><c>POST /api/v1/groups</c>: a name, and optionally its first members.</summary>
internal sealed record CreateGroupRequest(string? Name, IReadOnlyList<string>? Members);

/// <summary><c>POST /api/v1/groups/{name}/members</c>.</summary>
internal sealed record GroupMemberRequest(string? User);

/// <summary><c>POST /api/v1/budgets</c>: exactly one of <see cref="User"/>, <see cref="Group"/> (by name) or <see cref="Key"/> (a key id).</summary>
internal sealed record BudgetRequest(string? User, string? Group, string? Key, decimal? Usd, string? Period, bool PerMember);

/// <summary>A budget: <see cref="Usd"/> per <see cref="Period"/> (UTC) on a user, group or key, and its account(s) in the current period.</summary>
internal sealed record BudgetDto(Guid Id, string Scope, string Subject, decimal Usd, string Period, bool PerMember, DateTimeOffset CreatedAt,
    IReadOnlyList<BudgetAccountDto> Current);

/// <summary>
/// One account of a budget in its current period: <see cref="Member"/> is the member's name for a group budget applied
/// to each member, else null. <see cref="ReservedUsd"/> is held by requests in flight; <see cref="RemainingUsd"/> is what
/// is left for new ones.
/// </summary>
internal sealed record BudgetAccountDto(string? Member, DateTimeOffset PeriodStart, DateTimeOffset ResetsAt, decimal SpentUsd, decimal ReservedUsd,
    decimal RemainingUsd);

/// <summary><c>GET /api/v1/budgets</c>.</summary>
internal sealed record BudgetListResponse(IReadOnlyList<BudgetDto> Budgets);

/// <summary>
/// <c>POST /api/v1/limits</c>: exactly one of <see cref="User"/>, <see cref="Group"/> (pooled, or each member's own with
/// <see cref="PerMember"/>) or <see cref="Key"/> (a key id), and <see cref="Rpm"/>, <see cref="Tpm"/> or both.
/// </summary>
internal sealed record LimitRequest(string? User, string? Key, long? Rpm, long? Tpm, string? Group = null, bool PerMember = false);

/// <summary>A rate limit: requests and tokens per minute (null: not limited) on a user, a group or a key.</summary>
internal sealed record LimitDto(Guid Id, string Scope, string Subject, long? Rpm, long? Tpm, bool PerMember, DateTimeOffset CreatedAt);

/// <summary><c>GET /api/v1/limits</c>.</summary>
internal sealed record LimitListResponse(IReadOnlyList<LimitDto> Limits);

/// <summary><c>POST /api/v1/allowlists</c>: exactly one of <see cref="Group"/> or <see cref="Key"/> (a key id), and the model patterns.</summary>
internal sealed record AllowlistRequest(string? Group, string? Key, IReadOnlyList<string>? Models);

/// <summary>A model allowlist on a group or a key: <c>*</c> in a pattern matches any run of characters.</summary>
internal sealed record AllowlistDto(Guid Id, string Scope, string Subject, IReadOnlyList<string> Models, DateTimeOffset CreatedAt);

/// <summary><c>GET /api/v1/allowlists</c>, with the gateway's model aliases (which allowlist patterns may name too).</summary>
internal sealed record AllowlistListResponse(IReadOnlyList<AllowlistDto> Allowlists, IReadOnlyList<AliasDto> Aliases);

/// <summary>A model alias: clients send <see cref="Name"/>; the request goes to <see cref="Provider"/>, calling <see cref="Model"/>.</summary>
internal sealed record AliasDto(string Name, string Provider, string Model);
