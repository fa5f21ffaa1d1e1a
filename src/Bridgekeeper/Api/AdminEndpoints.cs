using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.Api;

/// <summary>User and key management: admins only (the wrapper in <see cref="ApiEndpoints"/> checks the role).</summary>
internal static class AdminEndpoints
{
    public static async Task<IResult> ListUsersAsync(HttpContext context, GatewayUser caller)
    {
        var users = await context.RequestServices.GetRequiredService<UserStore>().ListUsersAsync(context.RequestAborted);
        return Results.Json(new UserListResponse([.. users.Select(UserDto.From)]), ApiJsonContext.Default.UserListResponse);
    }

    public static async Task<IResult> CreateUserAsync(HttpContext context, GatewayUser caller)
    {
        var (request, bodyError) = await RequestBodies.ReadAsync(context, ApiJsonContext.Default.CreateUserRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        var store = context.RequestServices.GetRequiredService<UserStore>();
        var (user, error) = await Accounts.CreateUserAsync(store, request?.Name, request?.Role, request?.Email, context.RequestAborted);
        return error?.ToResult() ?? Results.Json(UserDto.From(user!), ApiJsonContext.Default.UserDto, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> CreateKeyAsync(HttpContext context, GatewayUser caller)
    {
        var (request, bodyError) = await RequestBodies.ReadAsync(context, ApiJsonContext.Default.CreateKeyRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        var services = context.RequestServices;
        var name = context.Request.RouteValues["name"] as string ?? "";
        var (key, error) = await Accounts.CreateKeyAsync(services.GetRequiredService<UserStore>(), services.GetRequiredService<TimeProvider>(),
            name, request?.Label, request?.Expires, context.RequestAborted);
        if (error is null)
            services.GetRequiredService<KeyAuthenticator>().Invalidate();   // the new key works at once, even if it was tried a moment ago
        return error?.ToResult() ?? Results.Json(key!, ApiJsonContext.Default.CreatedKeyResponse, statusCode: StatusCodes.Status201Created);
    }

    /// <summary><c>GET /api/v1/users/{name}/keys</c>: ids, labels, hints and dates, never secrets.</summary>
    public static async Task<IResult> ListKeysAsync(HttpContext context, GatewayUser caller)
    {
        var users = context.RequestServices.GetRequiredService<UserStore>();
        var name = context.Request.RouteValues["name"] as string ?? "";
        if (await users.FindUserAsync(name, context.RequestAborted) is not { } user)
            return ApiError.NotFound($"No user named '{name}'.").ToResult();
        var keys = await users.ListKeysAsync(user.Id, context.RequestAborted);
        return Results.Json(new KeyListResponse([.. keys.Select(KeyDto.From)]), ApiJsonContext.Default.KeyListResponse);
    }

    /// <summary><c>PATCH /api/v1/users/{name}</c> with <c>{"role": …}</c>. The new role applies to the user's keys at once.</summary>
    public static async Task<IResult> SetRoleAsync(HttpContext context, GatewayUser caller)
    {
        var (request, bodyError) = await RequestBodies.ReadAsync(context, ApiJsonContext.Default.SetRoleRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        var name = context.Request.RouteValues["name"] as string ?? "";
        var (user, error) = await Accounts.SetRoleAsync(context.RequestServices.GetRequiredService<UserStore>(), caller, name, request?.Role, context.RequestAborted);
        if (error is not null)
            return error.ToResult();
        context.RequestServices.GetRequiredService<KeyAuthenticator>().Invalidate();
        return Results.Json(UserDto.From(user!), ApiJsonContext.Default.UserDto);
    }

    public static async Task<IResult> RevokeKeyAsync(HttpContext context, GatewayUser caller)
    {
        var id = context.Request.RouteValues["id"] as string ?? "";
        var error = await Accounts.RevokeKeyAsync(context.RequestServices.GetRequiredService<UserStore>(), id, context.RequestAborted);
        if (error is not null)
            return error.ToResult();
        context.RequestServices.GetRequiredService<KeyAuthenticator>().Invalidate();
        return Results.NoContent();
    }
}
