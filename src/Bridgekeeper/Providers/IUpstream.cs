using Bridgekeeper.Streaming;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Providers;

/// <summary>Destination and transport. Bedrock is an upstream of the Anthropic dialect, not a dialect.</summary>
internal interface IUpstream
{
    /// <summary>
    /// Sends one request and returns as soon as response headers arrive (never buffers the body).
    /// Throws <see cref="HttpRequestException"/> when the upstream cannot be reached.
    /// </summary>
    Task<HttpResponseMessage> SendAsync(UpstreamRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The response body as SSE events. Each event's memory is valid only until the enumerator moves on.
    /// </summary>
    IAsyncEnumerable<SseEvent> ReadEventsAsync(HttpResponseMessage response, CancellationToken cancellationToken);
}

/// <summary>One upstream call.</summary>
/// <param name="Path">The route's path relative to the API root, from its template, e.g. <c>v1/messages</c>.</param>
/// <param name="Query">The client's query string, empty or starting with <c>?</c> (Claude Code sends <c>?beta=true</c>).</param>
/// <param name="Body">The JSON body bytes (after <see cref="Head"/>, when there is one).</param>
/// <param name="Headers">Client headers already sanitized (no credentials, hop-by-hop, Host or Content-Length).</param>
internal sealed record UpstreamRequest(
    string Path,
    string Query,
    ReadOnlyMemory<byte> Body,
    IReadOnlyList<KeyValuePair<string, StringValues>> Headers)
{
    /// <summary>Bytes sent before <see cref="Body"/>: a small edit in front of the client's own bytes (<see cref="JsonBody.Prepend"/>).</summary>
    public ReadOnlyMemory<byte> Head { get; init; }

    /// <summary>The whole body's length.</summary>
    public int Length => Head.Length + Body.Length;
}
