using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.Api;

/// <summary>
/// The REST API under <c>/api/v1</c> (SPEC §6). Every route authenticates with a Bridgekeeper key; members see only
/// their own data; user and key management is for admins. Errors are always <c>{"error":{"code","message"}}</c>.
/// Needs <see cref="UserStore"/>, <see cref="AuditStore"/>, <see cref="KeyAuthenticator"/> and <see cref="TimeProvider"/> in DI.
/// </summary>
internal static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapGet("/me", Authorized(adminOnly: false, Me));
        api.MapGet("/interceptions", Authorized(adminOnly: false, AuditEndpoints.ListInterceptionsAsync));
        api.MapGet("/interceptions/{id}", Authorized(adminOnly: false, AuditEndpoints.GetInterceptionAsync));
        api.MapGet("/usage", Authorized(adminOnly: false, AuditEndpoints.UsageAsync));
        api.MapGet("/usage/summary", Authorized(adminOnly: false, AuditEndpoints.UsageSummaryAsync));
        api.MapGet("/sessions", Authorized(adminOnly: false, AuditEndpoints.ListSessionsAsync));
        api.MapGet("/sessions/{id}", Authorized(adminOnly: false, AuditEndpoints.GetSessionAsync));
        api.MapGet("/users", Authorized(adminOnly: true, AdminEndpoints.ListUsersAsync));
        api.MapPost("/users", Authorized(adminOnly: true, AdminEndpoints.CreateUserAsync));
        api.MapPatch("/users/{name}", Authorized(adminOnly: true, AdminEndpoints.SetRoleAsync));
        api.MapGet("/users/{name}/keys", Authorized(adminOnly: true, AdminEndpoints.ListKeysAsync));
        api.MapPost("/users/{name}/keys", Authorized(adminOnly: true, AdminEndpoints.CreateKeyAsync));
        api.MapDelete("/keys/{id}", Authorized(adminOnly: true, AdminEndpoints.RevokeKeyAsync));
        app.MapBrowserSession();
        app.MapSpendApi();
        return app;
    }

    /// <summary>
    /// Wraps a handler with the key check (401, 429 when the source is throttled, 503 when keys cannot be verified) and,
    /// for admin routes, the role check (403). Every API route goes through this. The key is the request's own
    /// (<c>Authorization</c>, <c>X-Api-Key</c>) or else the dashboard's session cookie, whose changes also need the
    /// CSRF token (<see cref="BrowserSession"/>).
    /// </summary>
    internal static Func<HttpContext, Task<IResult>> Authorized(bool adminOnly, Func<HttpContext, GatewayUser, Task<IResult>> handler) =>
        async context =>
        {
            var authenticator = context.RequestServices.GetRequiredService<KeyAuthenticator>();
            var cookieKey = KeyAuthenticator.PresentedKey(context.Request) is null ? BrowserSession.CookieKey(context.Request) : null;
            var check = cookieKey is null
                ? await authenticator.CheckAsync(context)
                : await authenticator.CheckAsync(cookieKey, context.Connection.RemoteIpAddress, context.RequestAborted);
            if (check.User is not { } caller)
                return Refusal(context, check);
            if (cookieKey is not null && BrowserSession.Refusal(context.Request, cookieKey) is { } csrf)
                return csrf.ToResult();
            if (adminOnly && caller.Role != Roles.Admin)
                return ApiError.Forbidden($"This route is for admins; your role is {caller.Role}.").ToResult();
            return await handler(context, caller);
        };

    internal static IResult Refusal(HttpContext context, KeyCheck check)
    {
        switch (check.Refusal)
        {
            case KeyRefusal.Throttled:
                context.Response.Headers.RetryAfter = check.RetryAfterSeconds;
                return ApiError.TooManyRequests("Too many failed authentications from this address; retry later.").ToResult();
            case KeyRefusal.Unavailable:
                return ApiError.Unavailable("The gateway cannot verify keys right now; retry shortly.").ToResult();
            default:
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return ApiError.Unauthorized("A valid Bridgekeeper key is required (Authorization: Bearer KEY or X-Api-Key: KEY).").ToResult();
        }
    }

    private static async Task<IResult> Me(HttpContext context, GatewayUser caller)
    {
        return Results.Json(await SpendEndpoints.MeAsync(context, caller), ApiJsonContext.Default.MeResponse);
    }
}
