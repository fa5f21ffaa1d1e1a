using System.Text.Json;
using Bridgekeeper.Api;
using Bridgekeeper.Dashboard;
using Bridgekeeper.Interception;
using Bridgekeeper.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
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
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = context => LastResortAsync(context, providers) });
        app.UseProxiedRequests(providers);
        app.UseSecurityHeaders();
        app.UseDashboardAssets();
        app.UseRouting();
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
        app.MapApiDocument();
        app.MapMcpApi();
        app.MapProxyCa();
        app.MapDashboard();
        app.MapFallback(static context => WriteNotFoundAsync(context));
    }

    private static void MapProvider(WebApplication app, string root, Provider provider, InterceptionEndpoint endpoint, Passthrough passthrough)
    {
        foreach (var route in provider.Intercepted)
        {
            app.MapPost($"{root}/{route.Path}", context => endpoint.HandleAsync(context, provider, route));
            app.MapGet($"{root}/{route.Path}", context => RefuseUpgradeAsync(context, route.Dialect));
        }
        foreach (var route in provider.Passthrough.Where(r => !r.IsAnyPath))
            app.MapMethods($"{root}/{route.Pattern}", [route.Method], context => passthrough.HandleAsync(context, provider, route));
        MapRest(app, root, provider, passthrough);
    }

    /// <summary>
    /// Every other path under the provider: 404 in its shape, or for a provider with a catch-all passthrough route
    /// (copilot) that route, any method (the intercepted and allow-listed routes, more specific, still win).
    /// </summary>
    private static void MapRest(WebApplication app, string root, Provider provider, Passthrough passthrough)
    {
        if (provider.Passthrough.FirstOrDefault(r => r.IsAnyPath) is { } any)
        {
            app.Map($"{root}/{any.Pattern}", context => passthrough.HandleAsync(context, provider, any));
            return;
        }
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

    /// <summary>
    /// The last resort for an exception nothing else handled (the middleware has logged it and cleared the response):
    /// 500 (503 when the database failed) in the shape the caller expects, the provider's on its routes and the API's
    /// elsewhere, never an empty body. Expected failures of the provider routes never get here; they are values mapped
    /// where they happen (<see cref="Failures"/>).
    /// </summary>
    private static Task LastResortAsync(HttpContext context, IReadOnlyList<Provider> providers)
    {
        var path = context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path.Value ?? "";
        var databaseDown = context.Features.Get<IExceptionHandlerFeature>()?.Error is System.Data.Common.DbException;
        var error = databaseDown
            ? GatewayError.Unavailable("The gateway cannot reach its database right now; retry shortly.")
            : new GatewayError(500, "api_error", "The gateway failed while handling this request; the failure is logged.", "internal_error");
        if (ProviderOf(path, providers) is { } provider)
            return GatewayErrors.WriteAsync(context.Response, provider.ErrorDialect, error, context.RequestAborted);
        return WriteApiErrorAsync(context, error.Status, databaseDown ? "unavailable" : "internal_error", error.Message);
    }

    /// <summary>The provider whose routes <paramref name="path"/> is under (at the root or under <c>/api/v2/aibridge</c>), or null.</summary>
    private static Provider? ProviderOf(string path, IReadOnlyList<Provider> providers) =>
        providers.FirstOrDefault(p => Prefixes.Any(prefix => path.StartsWith($"{prefix}/{p.Name}/", StringComparison.OrdinalIgnoreCase)));

    private static Task WriteNotFoundAsync(HttpContext context) =>
        WriteApiErrorAsync(context, StatusCodes.Status404NotFound, "not_found", "No such route.");

    private static Task WriteApiErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse(new ErrorBody(code, message)), ApiJsonContext.Default.ErrorResponse);
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>Marks the <c>/metrics</c> endpoint.</summary>
    private sealed class MetricsRoute
    {
        public static readonly MetricsRoute Instance = new();
    }
}
