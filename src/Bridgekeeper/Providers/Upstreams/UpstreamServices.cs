using Bridgekeeper.Metrics;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>What the catalog gives every upstream it builds: the clock, the metrics and the loggers.</summary>
internal sealed record UpstreamServices(TimeProvider Time, BridgekeeperMetrics Metrics, ILoggerFactory Logs)
{
    /// <param name="credentials">Per key, in pool order, the headers that authenticate the gateway with it.</param>
    public KeyPool KeyPool(string provider, IReadOnlyList<(string Key, IReadOnlyList<KeyValuePair<string, string>> Headers)> credentials) =>
        new(provider, credentials, Time, Metrics, Logs.CreateLogger<KeyPool>());
}
