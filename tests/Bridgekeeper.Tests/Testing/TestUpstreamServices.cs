using System.Diagnostics.Metrics;
using Bridgekeeper.Metrics;
using Bridgekeeper.Providers.Upstreams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridgekeeper.Tests.Testing;

/// <summary>
/// <see cref="UpstreamServices"/> for unit tests: a meter of the test's own (so <see cref="Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector{T}"/>
/// sees only its instruments), the given clock and logger.
/// </summary>
internal sealed class TestUpstreamServices : IDisposable
{
    private readonly ServiceProvider _provider = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public TestUpstreamServices(TimeProvider? time = null, ILoggerFactory? logs = null, ModelLabels? models = null)
    {
        Meters = _provider.GetRequiredService<IMeterFactory>();
        Metrics = new BridgekeeperMetrics(Meters, () => 0, models ?? ModelLabels.None, MeterName);
        Services = new UpstreamServices(time ?? TimeProvider.System, Metrics, logs ?? NullLoggerFactory.Instance);
    }

    public string MeterName { get; } = "Bridgekeeper.Test." + Guid.NewGuid().ToString("N");
    public IMeterFactory Meters { get; }
    public BridgekeeperMetrics Metrics { get; }
    public UpstreamServices Services { get; }

    public void Dispose() => _provider.Dispose();
}
