using System.Text.RegularExpressions;
using Bridgekeeper.Auth;
using Bridgekeeper.Settings;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Api;

/// <summary>Creating users and keys, with the validation the REST API and the CLI share.</summary>
internal static partial class Accounts
{
    public static async Task<(UserRow? User, ApiError? Error)> CreateUserAsync(UserStore users, string? name, string? role, string? email,
        CancellationToken cancellationToken)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || !UserName().IsMatch(name))
            return (null, ApiError.BadRequest($"name must be 1 to 64 letters, digits, '.', '_', '-' or '@'; got '{name}'."));
        role = string.IsNullOrWhiteSpace(role) ? Roles.Member : role.Trim();
        if (RoleError(role) is { } roleError)
            return (null, roleError);
        try
        {
            return (await users.CreateUserAsync(name, role, string.IsNullOrWhiteSpace(email) ? null : email.Trim(), cancellationToken), null);
        }
        catch (DuplicateNameException)
        {
            return (null, ApiError.Conflict($"A user named '{name}' already exists."));
        }
    }

    /// <summary>
    /// Changes a user's role. An admin cannot take the admin role from themself, so a gateway is never left without
    /// the admin who made the change.
    /// </summary>
    public static async Task<(UserRow? User, ApiError? Error)> SetRoleAsync(UserStore users, GatewayUser caller, string name, string? role,
        CancellationToken cancellationToken)
    {
        role = role?.Trim() ?? "";
        if (RoleError(role) is { } roleError)
            return (null, roleError);
        if (name == caller.Name && role != Roles.Admin)
            return (null, ApiError.Conflict("You cannot take the admin role from yourself; ask another admin."));
        var user = await users.SetRoleAsync(name, role, cancellationToken);
        return user is null ? (null, ApiError.NotFound($"No user named '{name}'.")) : (user, null);
    }

    private static ApiError? RoleError(string role) => Roles.IsValid(role)
        ? null
        : ApiError.BadRequest($"role must be one of {Roles.Admin}, {Roles.Auditor}, {Roles.Member}; got '{role}'.");

    /// <summary>Issues a key for the named user; <paramref name="expires"/> is a duration from now, absent or <c>0</c> for never.</summary>
    public static async Task<(CreatedKeyResponse? Key, ApiError? Error)> CreateKeyAsync(UserStore users, TimeProvider time, string userName,
        string? label, string? expires, CancellationToken cancellationToken)
    {
        DateTimeOffset? expiresAt = null;
        if (!string.IsNullOrWhiteSpace(expires))
        {
            if (!Durations.TryParse(expires, out var lifetime))
                return (null, ApiError.BadRequest($"expires must be a duration such as 90d or 12h (0 for never); got '{expires}'."));
            if (lifetime > TimeSpan.Zero)
                expiresAt = time.GetUtcNow() + lifetime;
        }
        var user = await users.FindUserAsync(userName, cancellationToken);
        if (user is null)
            return (null, ApiError.NotFound($"No user named '{userName}'."));
        var key = ApiKey.Generate();
        label = string.IsNullOrWhiteSpace(label) ? null : label.Trim();
        var row = await users.CreateKeyAsync(user.Id, label, expiresAt, key.Hash, key.Hint, cancellationToken);
        return (new CreatedKeyResponse(row.Id, user.Name, row.Label, key.Key, row.Hint, row.CreatedAt, row.ExpiresAt), null);
    }

    /// <summary>Revokes a key by its id (as text, from a route or the command line).</summary>
    public static async Task<ApiError?> RevokeKeyAsync(UserStore users, string keyId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(keyId, out var id))
            return ApiError.BadRequest($"'{keyId}' is not a key id.");
        return await users.RevokeKeyAsync(id, cancellationToken)
            ? null
            : ApiError.NotFound($"No active key with id '{keyId}'.");
    }

    /// <summary>Whether <paramref name="name"/> is a valid user or group name.</summary>
    public static bool IsName(string name) => UserName().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex UserName();
}
