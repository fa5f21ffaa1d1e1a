using System.Net.Http.Headers;
using Bridgekeeper.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>
/// HTTPS to a provider that speaks the dialect's own API (OpenAI, Anthropic, Copilot, anything compatible), with the
/// credentials attached as the catalog chose them (<see cref="UpstreamCredentials"/>: the gateway's keys, or for
/// copilot the client's own <c>Authorization</c>). Uses an <see cref="HttpMessageInvoker"/> (no response
/// buffering, no retries, no decompression) and returns at response headers; a stream is the upstream's SSE frames as
/// they came, an error body is relayed as it came (it is already in the dialect's shape). Passthrough goes through
/// YARP's forwarder on the same invoker.
/// </summary>
/// <param name="credentials">How each request is authenticated: a key of the provider's pool, each with the headers that
/// authenticate the gateway with it (<c>x-api-key</c>, or <c>Authorization: Bearer</c> with
/// <c>OpenAI-Organization</c>/<c>OpenAI-Project</c>), taken for every request and told the answer's status; or the
/// client's own <c>Authorization</c> (copilot). No other client credential ever goes upstream.</param>
internal sealed class HttpUpstream(ProviderSettings provider, UpstreamCredentials credentials, HttpMessageInvoker invoker, IHttpForwarder forwarder)
    : IUpstream
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly ForwarderRequestConfig PassthroughConfig = new() { ActivityTimeout = TimeSpan.FromMinutes(2) };

    public async Task<UpstreamResult> SendAsync(UpstreamRequest request, RequestFacts facts, CancellationToken cancellationToken)
    {
        if (UpstreamUris.Resolve(provider, request.Path, request.Query) is not { } uri)
            return new UpstreamFailure(UpstreamError.Target, $"the route path '{request.Path}' and its query do not resolve under the provider's base URL");
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = request.Head.IsEmpty ? new ReadOnlyMemoryContent(request.Body) : new TwoPartContent(request.Head, request.Body),
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        message.Content.Headers.ContentType = Json;
        UpstreamMessages.AddHeaders(message, request.Headers);
        var key = credentials.Attach(message.Headers, request.ClientAuthorization);
        var (response, failure) = await UpstreamMessages.SendAsync(invoker, message, cancellationToken);
        if (response is null)
            return failure!;
        credentials.Report(key, (int)response.StatusCode, UpstreamMessages.Header(response.Headers, "Retry-After"),
            UpstreamMessages.Header(response.Headers, "retry-after-ms"));
        return new HttpExchange(response);
    }

    public async Task<UpstreamFailure?> ForwardAsync(HttpContext http, string path, string query)
    {
        if (UpstreamUris.Resolve(provider, path, query) is not { } target)
            return new UpstreamFailure(UpstreamError.Target, "the query string cannot be forwarded");
        http.Features.Set<IHttpUpgradeFeature>(NotUpgradable.Instance);
        var transformer = new Transformer(target, credentials);
        var error = await forwarder.SendAsync(http, target.GetLeftPart(UriPartial.Authority), invoker, PassthroughConfig, transformer);
        credentials.Report(transformer.Key, http.Response.StatusCode, http.Response.Headers.RetryAfter, http.Response.Headers["retry-after-ms"]);
        if (error is ForwarderError.None)
            return null;
        var detail = http.Features.Get<IForwarderErrorFeature>()?.Exception?.Message is { } message ? $"{error}: {message}" : error.ToString();
        return new UpstreamFailure(error switch
        {
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient
                or ForwarderError.ResponseBodyCanceled or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseClient => UpstreamError.Client,
            ForwarderError.RequestTimedOut => UpstreamError.RequestTimedOut,
            ForwarderError.ResponseBodyDestination or ForwarderError.UpgradeResponseDestination => UpstreamError.ResponseBody,
            _ => UpstreamError.Request,
        }, detail);
    }

    /// <summary>One answer of an HTTP upstream: the response message, read once, as events or as a whole body.</summary>
    private sealed class HttpExchange(HttpResponseMessage response) : ResponseExchange(response)
    {
        public override bool IsStream => HasMediaType("text/event-stream");

        public override IAsyncEnumerable<SseEvent> ReadEventsAsync(CancellationToken cancellationToken) =>
            ReadItemsAsync(SseEventReader.ReadAsync, cancellationToken);

        public override Task<byte[]?> ReadBodyAsync(CancellationToken cancellationToken) => ReadRawBodyAsync(cancellationToken);
    }

    /// <summary>
    /// Removes client credentials and every header that must not go upstream, attaches the upstream's (the client's own
    /// <c>Authorization</c> for copilot), and targets the built URI.
    /// </summary>
    private sealed class Transformer(Uri target, UpstreamCredentials credentials) : HttpTransformer
    {
        /// <summary>The gateway key the request went with, once it has been transformed (null: none, or the client's own credential).</summary>
        public PoolKey? Key { get; private set; }

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.RequestUri = target;
            proxyRequest.Headers.Host = null;
            ForwardedHeaders.SanitizeUpstream(httpContext.Request.Headers, proxyRequest);
            Key = credentials.Attach(proxyRequest.Headers, UpstreamCredentials.ClientAuthorization(httpContext.Request.Headers));
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse,
            CancellationToken cancellationToken)
        {
            var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
            ForwardedHeaders.SanitizeResponse(httpContext.Response);
            return proceed;
        }
    }

    /// <summary>Makes the forwarder treat an <c>Upgrade</c> request as a plain one: passthrough never upgrades.</summary>
    private sealed class NotUpgradable : IHttpUpgradeFeature
    {
        public static readonly NotUpgradable Instance = new();

        public bool IsUpgradableRequest => false;

        public Task<Stream> UpgradeAsync() => throw new InvalidOperationException("Passthrough requests are never upgraded.");
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
