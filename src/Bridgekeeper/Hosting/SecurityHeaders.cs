using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Hosting;

/// <summary>
/// Browser hardening on the dashboard (<c>/ui</c>) and the REST API (<c>/api/v1</c>); the provider routes keep the
/// upstream's headers. The dashboard's policy allows scripts, styles and requests from the gateway itself only: no
/// inline script or style, no framing, no plug-ins, forms posting only here. API answers are never cached and never
/// rendered as a page.
/// </summary>
internal static class SecurityHeaders
{
    public const string DashboardPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            var path = context.Request.Path;
            var dashboard = path.StartsWithSegments(Dashboard.DashboardRoutes.Root);
            if (dashboard || path.StartsWithSegments("/api/v1"))
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = dashboard ? DashboardPolicy : ApiPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                if (!dashboard)
                    headers.CacheControl = "no-store";
            }
            return next(context);
        });
}
