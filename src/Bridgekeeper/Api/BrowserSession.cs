using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bridgekeeper.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.Api;

/// <summary>
/// The dashboard's sign-in (<c>/api/v1/session</c>). The Bridgekeeper key is kept in a session cookie that scripts
/// cannot read (<c>HttpOnly</c>), that no other site's page sends (<c>SameSite=Strict</c>), that travels only to the
/// API (<c>Path=/api/v1</c>, so never on a provider route) and only over TLS when the gateway is on TLS (<c>Secure</c>).
/// Revoking the key ends the session, on every replica, within the key cache's lifetime.
/// <para>
/// Every change made with the cookie needs the CSRF token in <c>X-CSRF-Token</c>. The token is derived from the key
/// (SHA-256 over a label and the key), so any replica checks it without shared state; a page of another origin can
/// neither read it nor send the header without a CORS preflight this gateway never grants. ASP.NET's antiforgery
/// would need a Data Protection key ring shared by all replicas for the same guarantee. A request whose
/// <c>Origin</c> is not the gateway's own is refused too, and sign-in takes JSON only, so no cross-site form can sign
/// a browser in with someone else's key.
/// </para>
/// </summary>
internal static class BrowserSession
{
    public const string CookieName = "bridgekeeper_session";
    public const string CsrfHeader = "X-CSRF-Token";
    private const string CookiePath = "/api/v1";
    private const int MaxBodyBytes = 16 * 1024;
    private static readonly byte[] CsrfLabel = "bridgekeeper dashboard csrf v1\n"u8.ToArray();

    public static IEndpointRouteBuilder MapBrowserSession(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapPost("/session", (Func<HttpContext, Task<IResult>>)SignInAsync);
        api.MapGet("/session", ApiEndpoints.Authorized(adminOnly: false, ShowAsync));
        api.MapDelete("/session", ApiEndpoints.Authorized(adminOnly: false, SignOutAsync));
        return app;
    }

    /// <summary>The key the request's session cookie holds, or null.</summary>
    public static string? CookieKey(HttpRequest request) => request.Cookies[CookieName] is { Length: > 0 } key ? key : null;

    /// <summary>The CSRF token of the session that holds <paramref name="key"/>.</summary>
    public static string CsrfToken(string key)
    {
        var input = new byte[CsrfLabel.Length + Encoding.UTF8.GetByteCount(key)];
        CsrfLabel.CopyTo(input, 0);
        Encoding.UTF8.GetBytes(key, input.AsSpan(CsrfLabel.Length));
        return Convert.ToBase64String(SHA256.HashData(input)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>
    /// Why a request authenticated by the cookie <paramref name="key"/> may not go ahead, or null when it may: reads
    /// (GET, HEAD) from the gateway's own origin need nothing more; changes need the CSRF token.
    /// </summary>
    public static ApiError? Refusal(HttpRequest request, string key)
    {
        if (!SameOrigin(request))
            return ApiError.Forbidden("This request comes from another site's page; the dashboard's session works only on the gateway's own pages.");
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            return null;
        var sent = Encoding.UTF8.GetBytes(request.Headers[CsrfHeader].ToString());
        return CryptographicOperations.FixedTimeEquals(sent, Encoding.UTF8.GetBytes(CsrfToken(key)))
            ? null
            : new ApiError(StatusCodes.Status403Forbidden, "csrf_failed", $"A change made with the dashboard's session needs its {CsrfHeader} header; reload the page.");
    }

    /// <summary>True when the request names no <c>Origin</c> or names the gateway's own scheme, host and port.</summary>
    private static bool SameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary><c>POST /api/v1/session</c> with <c>{"key": "bk_…"}</c>: sets the cookie and answers as <c>GET</c> does.</summary>
    private static async Task<IResult> SignInAsync(HttpContext context)
    {
        var request = context.Request;
        if (!SameOrigin(request))
            return ApiError.Forbidden("Sign in on the gateway's own dashboard page.").ToResult();
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return new ApiError(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Sign in with a JSON body: {\"key\": \"bk_...\"}.").ToResult();
        var key = await ReadKeyAsync(context);
        if (key is null)
            return ApiError.BadRequest("The body must be JSON with the key: {\"key\": \"bk_...\"}.").ToResult();
        var check = await context.RequestServices.GetRequiredService<KeyAuthenticator>().CheckAsync(key, context.Connection.RemoteIpAddress, context.RequestAborted);
        if (check.User is not { } user)
            return ApiEndpoints.Refusal(context, check);
        context.Response.Cookies.Append(CookieName, key, Cookie(request));
        return Results.Json(new BrowserSessionResponse(new(user.Id, user.Name), user.Role, CsrfToken(key)), ApiJsonContext.Default.BrowserSessionResponse);
    }

    /// <summary><c>GET /api/v1/session</c>: the caller and, when signed in by the cookie, the CSRF token for changes.</summary>
    private static Task<IResult> ShowAsync(HttpContext context, GatewayUser caller)
    {
        var csrf = KeyAuthenticator.PresentedKey(context.Request) is null && CookieKey(context.Request) is { } key ? CsrfToken(key) : null;
        return Task.FromResult(Results.Json(new BrowserSessionResponse(new(caller.Id, caller.Name), caller.Role, csrf), ApiJsonContext.Default.BrowserSessionResponse));
    }

    /// <summary><c>DELETE /api/v1/session</c>: clears the cookie (the key itself stays valid; revoke it to end it everywhere).</summary>
    private static Task<IResult> SignOutAsync(HttpContext context, GatewayUser caller)
    {
        context.Response.Cookies.Delete(CookieName, Cookie(context.Request));
        return Task.FromResult(Results.NoContent());
    }

    private static CookieOptions Cookie(HttpRequest request) => new()
    {
        HttpOnly = true,
        Secure = request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = CookiePath,
        IsEssential = true,
    };

    private static async Task<string?> ReadKeyAsync(HttpContext context)
    {
        var buffer = new byte[MaxBodyBytes + 1];
        var length = await context.Request.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, context.RequestAborted);
        if (length > MaxBodyBytes)
            return null;
        try
        {
            var body = JsonSerializer.Deserialize(buffer.AsSpan(0, length), ApiJsonContext.Default.SignInRequest);
            return body?.Key?.Trim() is { Length: > 0 } key && !key.Any(char.IsControl) ? key : null;
        }
        catch (JsonException)
        {
            return null;    // never echo the parser's message: it could quote the key
        }
    }
}
