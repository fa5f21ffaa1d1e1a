using System.Text;
using Bridgekeeper.Api;
using Bridgekeeper.Interception;
using Bridgekeeper.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.Hosting;

/// <summary>Maps every route (SPEC §3): provider routes at the root and under <c>/api/v2/aibridge</c>, service routes, the API.</summary>
internal static class GatewayRoutes
{
    public static readonly string[] Prefixes = ["", "/api/v2/aibridge"];

    public static void MapBridgekeeper(this WebApplication app)
    {
        var providers = app.Services.GetRequiredService<IReadOnlyList<Provider>>();
        var endpoint = app.Services.GetRequiredService<InterceptionEndpoint>();
        var passthrough = app.Services.GetRequiredService<Passthrough>();
        foreach (var prefix in Prefixes)
            foreach (var provider in providers)
                MapProvider(app, $"{prefix}/{provider.Name}", provider, endpoint, passthrough);

        if (app.Services.GetRequiredService<GatewayListeners>().SeparateMetrics)
            app.Use((context, next) => GatewayListeners.IsMetricsConnection(context) == IsMetricsRoute(context) ? next(context) : WriteNotFoundAsync(context));
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(MetricsRoute.Instance);
        app.MapGet("/readyz", static (Readiness readiness, CancellationToken cancellationToken) => readiness.CheckAsync(cancellationToken));
        app.MapApi();
        app.MapMcpApi();
        app.MapFallback(static context => WriteNotFoundAsync(context));
    }

    private static void MapProvider(WebApplication app, string root, Provider provider, InterceptionEndpoint endpoint, Passthrough passthrough)
    {
        foreach (var route in provider.Intercepted)
        {
            app.MapPost($"{root}/{route.Path}", context => endpoint.HandleAsync(context, provider, route.Dialect));
            app.MapGet($"{root}/{route.Path}", context => RefuseUpgradeAsync(context, route.Dialect));
        }
        foreach (var route in provider.Passthrough)
            app.MapMethods($"{root}/{route.Pattern}", [route.Method], context => passthrough.HandleAsync(context, provider));
        app.Map($"{root}/{{**rest}}", context => GatewayErrors.WriteAsync(context.Response, provider.ErrorDialect,
            GatewayError.NotFound($"{context.Request.Method} {context.Request.Path} is not a route this gateway serves for '{provider.Name}'."),
            context.RequestAborted));
    }

    /// <summary>
    /// Codex first tries <c>/v1/responses</c> over a WebSocket. Answering the upgrade at once with 426 makes it fall back
    /// to HTTP streaming immediately (a 404 would cost it seconds of retries). A plain GET is just not a route.
    /// </summary>
    private static Task RefuseUpgradeAsync(HttpContext context, IApiDialect dialect)
    {
        var upgrade = context.Request.Headers.Upgrade.ToString();
        var error = upgrade.Contains("websocket", StringComparison.OrdinalIgnoreCase)
            ? new GatewayError(StatusCodes.Status426UpgradeRequired, "invalid_request_error",
                "This gateway does not serve WebSocket transport; use HTTP streaming (POST with \"stream\": true).", "websocket_not_supported")
            : GatewayError.NotFound($"GET {context.Request.Path} is not a route this gateway serves.");
        return GatewayErrors.WriteAsync(context.Response, dialect, error, context.RequestAborted);
    }

    /// <summary>
    /// With <c>metrics_address</c> set, the metrics listener serves <c>/metrics</c> and nothing else, and the main
    /// listener everything else: the other side answers the fallback's 404.
    /// </summary>
    private static bool IsMetricsRoute(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<MetricsRoute>() is not null;

    private static Task WriteNotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "application/json";
        var body = Encoding.UTF8.GetBytes("""{"error":{"code":"not_found","message":"No such route."}}""");
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>Marks the <c>/metrics</c> endpoint.</summary>
    private sealed class MetricsRoute
    {
        public static readonly MetricsRoute Instance = new();
    }
}
