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
        api.MapGet("/users", Authorized(adminOnly: true, AdminEndpoints.ListUsersAsync));
        api.MapPost("/users", Authorized(adminOnly: true, AdminEndpoints.CreateUserAsync));
        api.MapPost("/users/{name}/keys", Authorized(adminOnly: true, AdminEndpoints.CreateKeyAsync));
        api.MapDelete("/keys/{id}", Authorized(adminOnly: true, AdminEndpoints.RevokeKeyAsync));
        return app;
    }

    /// <summary>Wraps a handler with key authentication (401) and, for admin routes, the role check (403).</summary>
    private static Func<HttpContext, Task<IResult>> Authorized(bool adminOnly, Func<HttpContext, GatewayUser, Task<IResult>> handler) =>
        async context =>
        {
            var authenticator = context.RequestServices.GetRequiredService<KeyAuthenticator>();
            var caller = await authenticator.AuthenticateAsync(context.Request, context.RequestAborted);
            if (caller is null)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return ApiError.Unauthorized("A valid Bridgekeeper key is required (Authorization: Bearer KEY or X-Api-Key: KEY).").ToResult();
            }
            if (adminOnly && caller.Role != Roles.Admin)
                return ApiError.Forbidden($"This route is for admins; your role is {caller.Role}.").ToResult();
            return await handler(context, caller);
        };

    private static Task<IResult> Me(HttpContext context, GatewayUser caller) =>
        Task.FromResult(Results.Json(new MeResponse(caller.Id, caller.Name, caller.Role), ApiJsonContext.Default.MeResponse));
}
