using Bridgekeeper.Metrics;
using Bridgekeeper.Pricing;
using Bridgekeeper.Recording;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Bridgekeeper.Hosting;

/// <summary>
/// Metrics are always on and scraped at <c>/metrics</c> (Prometheus text). Tracing is off unless the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; then spans of the <c>Bridgekeeper</c> source go out over OTLP.
/// Only <see cref="Hosting"/> knows the exporters.
/// </summary>
internal static class GatewayTelemetry
{
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, string meterName)
    {
        services.AddSingleton(sp => new BridgekeeperMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            () => sp.GetRequiredService<AuditQueue>().Depth, new ModelLabels(sp.GetRequiredService<CostCalculator>().KnownName), meterName));
        var telemetry = services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(meterName).AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
            telemetry.WithTracing(tracing => tracing.AddSource(BridgekeeperMetrics.Tracing.Name).AddOtlpExporter());
        return services;
    }
}
