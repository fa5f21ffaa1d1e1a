namespace Bridgekeeper.MockUpstream;

/// <summary>How a <see cref="MockUpstreamServer"/> listens and paces its replies. Request headers can override most of it.</summary>
internal sealed record MockUpstreamOptions
{
    /// <summary><c>host:port</c>; port 0 picks a free port (see <see cref="MockUpstreamServer.Url"/>).</summary>
    public string HttpAddress { get; init; } = "127.0.0.1:0";

    /// <summary>Wait before the response headers (header <c>x-mock-latency-ms</c>).</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Wait between stream events (header <c>x-mock-chunk-delay-ms</c>).</summary>
    public TimeSpan ChunkDelay { get; init; }

    /// <summary>Words of text per delta (header <c>x-mock-chunk-words</c>).</summary>
    public int ChunkWords { get; init; } = 1;

    /// <summary>When set, any other key gets 401 in the provider's shape. A missing key always gets 401.</summary>
    public string? ExpectedKey { get; init; }

    /// <summary>Keep every request and response in <see cref="MockUpstreamServer.Exchanges"/>; false for load tests.</summary>
    public bool CaptureExchanges { get; init; } = true;

    /// <summary>The credentials and region the Bedrock routes verify SigV4 against.</summary>
    public MockBedrockOptions Bedrock { get; init; } = new();
}
