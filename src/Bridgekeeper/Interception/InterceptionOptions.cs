namespace Bridgekeeper.Interception;

/// <summary>Limits and timings of intercepted requests (mapped from the flat settings in Hosting/).</summary>
internal sealed record InterceptionOptions(long MaxRequestBodyBytes, TimeSpan KeepAliveInterval, TimeSpan UpstreamIdleTimeout);
