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
