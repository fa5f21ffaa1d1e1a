using Bridgekeeper.Auth;
using Bridgekeeper.Providers;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Interception;

/// <summary>The key check of every provider route, intercepted or passed through: refusals answer in the provider's shape.</summary>
internal static class ProviderKeys
{
    /// <summary>The caller, or null after the refusal (401, 429 or 503) was written.</summary>
    public static async ValueTask<GatewayUser?> AuthenticateAsync(KeyAuthenticator authenticator, HttpContext http, IApiDialect dialect)
    {
        var check = await authenticator.CheckAsync(http);
        if (check.User is { } user)
            return user;
        if (check.Refusal is KeyRefusal.Throttled)
            http.Response.Headers.RetryAfter = check.RetryAfterSeconds;
        await GatewayErrors.WriteAsync(http.Response, dialect, Refusal(check.Refusal), http.RequestAborted);
        return null;
    }

    private static GatewayError Refusal(KeyRefusal refusal) => refusal switch
    {
        KeyRefusal.Throttled => GatewayError.RateLimited("Too many failed authentications from this address; retry later."),
        KeyRefusal.Unavailable => GatewayError.Unavailable("The gateway cannot verify keys right now; retry shortly."),
        _ => GatewayError.Unauthorized("A valid Bridgekeeper key is required (Authorization: Bearer or X-Api-Key)."),
    };
}
