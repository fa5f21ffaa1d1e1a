using System.Net.Http.Headers;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>
/// HTTPS to a provider with its key attached: <c>Authorization: Bearer</c> for OpenAI, <c>x-api-key</c> for Anthropic.
/// Uses an <see cref="HttpMessageInvoker"/> (no response buffering, no retries, no decompression) and always
/// returns at response headers.
/// </summary>
internal sealed class HttpUpstream(ProviderSettings provider, HttpMessageInvoker invoker) : IUpstream
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public Task<HttpResponseMessage> SendAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        var uri = UpstreamUris.Resolve(provider, request.Path, request.Query)
            ?? throw new InvalidOperationException($"The route path '{request.Path}' and its query do not resolve under the provider's base URL.");
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = request.Head.IsEmpty ? new ReadOnlyMemoryContent(request.Body) : new TwoPartContent(request.Head, request.Body),
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        message.Content.Headers.ContentType = Json;
        foreach (var (name, values) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        AttachKey(message.Headers, provider);
        return invoker.SendAsync(message, cancellationToken);
    }

    public async IAsyncEnumerable<SseEvent> ReadEventsAsync(HttpResponseMessage response,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseEventReader.ReadAsync(stream, cancellationToken))
            yield return item;
    }

    /// <summary>
    /// Attaches the provider's key in its own header form, and for OpenAI the organization and project the operator set
    /// for it (also used by passthrough). The client's own values of these headers never get here.
    /// </summary>
    public static void AttachKey(HttpRequestHeaders headers, ProviderSettings provider)
    {
        headers.Remove("Authorization");
        headers.Remove("x-api-key");
        if (provider.Type == ProviderTypes.Anthropic)
            headers.TryAddWithoutValidation("x-api-key", provider.Key);
        else
            headers.TryAddWithoutValidation("Authorization", "Bearer " + provider.Key);
        if (provider.Organization is { } organization)
            headers.TryAddWithoutValidation("OpenAI-Organization", organization);
        if (provider.Project is { } project)
            headers.TryAddWithoutValidation("OpenAI-Project", project);
    }

    /// <summary>A body sent as two buffers one after the other, with its exact length, without joining them.</summary>
    private sealed class TwoPartContent(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> rest) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(head, cancellationToken);
            await stream.WriteAsync(rest, cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = head.Length + rest.Length;
            return true;
        }
    }
}
