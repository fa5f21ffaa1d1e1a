using Bridgekeeper.Storage;

namespace Bridgekeeper.Api;

/// <summary><c>{"error":{"code","message"}}</c>, the shape of every REST API error (SPEC §6).</summary>
internal sealed record ErrorResponse(ErrorBody Error);

internal sealed record ErrorBody(string Code, string Message);

/// <summary><c>GET /api/v1/usage</c>.</summary>
internal sealed record UsageResponse(IReadOnlyList<UsageRow> Rows);

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

/// <summary><c>GET /api/v1/me</c>: the caller.</summary>
internal sealed record MeResponse(Guid Id, string Name, string Role);

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
