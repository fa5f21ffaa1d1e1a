using Bridgekeeper.Auth;
using Bridgekeeper.Interception;
using Bridgekeeper.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.Hosting;

/// <summary>
/// The forward proxy's part of the HTTP pipeline: requests on a decrypted connection are served by the routes of the
/// provider instance their host maps to, and the proxy's CA certificate is served to anyone (SPEC §6, §8).
/// </summary>
internal static class ProxyRoutes
{
    public static readonly string[] CaPaths = ["/api/v1/proxy/ca.pem", "/api/v2/aibridge/proxy/ca-cert.pem"];

    /// <summary>
    /// Before routing: a request on a decrypted connection must name the <c>CONNECT</c> host (<c>Host</c> or
    /// <c>:authority</c>, port 443 or none; else 421 in the provider's shape), and its path is put under that provider's
    /// root (<c>/v1/messages</c> on api.anthropic.com is <c>/anthropic/v1/messages</c>). So only that provider's
    /// intercepted and passthrough routes answer there; every other path, the gateway's own API among them, meets the
    /// provider's 404 and is never forwarded.
    /// </summary>
    public static void UseProxiedRequests(this WebApplication app, IReadOnlyList<Provider> providers)
    {
        app.Use((context, next) =>
        {
            if (context.Features.Get<ProxiedConnection>() is not { } proxied)
                return next(context);
            var host = context.Request.Host;
            if (!string.Equals(host.Host.TrimEnd('.'), proxied.Host, StringComparison.OrdinalIgnoreCase) || host.Port is not (null or Proxy.ProxyOptions.DecryptedPort))
            {
                var dialect = providers.First(p => p.Name == proxied.Provider).ErrorDialect;
                return GatewayErrors.WriteAsync(context.Response, dialect, new GatewayError(StatusCodes.Status421MisdirectedRequest, "invalid_request_error",
                    $"This connection was opened for {proxied.Host}; a request for '{host}' must open its own.", "misdirected_request"), context.RequestAborted);
            }
            context.Request.Path = new PathString("/" + proxied.Provider).Add(context.Request.Path);
            return next(context);
        });
    }

    /// <summary><c>GET /api/v1/proxy/ca.pem</c> (and its alias): the CA certificate clients must trust, never its key; 404 without a proxy.</summary>
    public static void MapProxyCa(this WebApplication app)
    {
        var setup = app.Services.GetService<ProxySetup>();
        foreach (var path in CaPaths)
            app.MapGet(path, () => setup is null
                ? Results.Json(new Api.ErrorResponse(new Api.ErrorBody("not_found", "The forward proxy is not enabled (proxy_address).")), Api.ApiJsonContext.Default.ErrorResponse,
                    statusCode: StatusCodes.Status404NotFound)
                : Results.Text(setup.Authority.CertificatePem, "application/x-pem-file"));
    }
}
