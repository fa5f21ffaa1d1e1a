namespace Bridgekeeper.Interception;

/// <summary>Limits and timings of intercepted requests (mapped from the flat settings in Hosting/).</summary>
internal sealed record InterceptionOptions(TimeSpan KeepAliveInterval, TimeSpan UpstreamIdleTimeout);
