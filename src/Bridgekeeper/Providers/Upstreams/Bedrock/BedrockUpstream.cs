using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Providers.Upstreams.Bedrock;

/// <summary>
/// Claude over AWS Bedrock Runtime behind the Anthropic Messages dialect: the dialect, the loop and the writers see the
/// Anthropic API, and everything Bedrock does differently lives here. The request goes to
/// <c>/model/{modelId}/invoke</c> (or <c>invoke-with-response-stream</c>, by <see cref="RequestFacts.Stream"/>) with
/// the body Bedrock takes (<see cref="BedrockRequest"/>), signed with SigV4 (<see cref="BedrockSigner"/>); a stream's
/// event-stream frames are decoded into the Anthropic SSE events inside them (<see cref="BedrockEvents"/>), and
/// Bedrock's errors (<c>{"message"}</c> with <c>x-amzn-ErrorType</c>) come back in Anthropic's error shape.
/// </summary>
internal sealed class BedrockUpstream(ProviderSettings provider, IApiDialect anthropic, HttpMessageInvoker invoker, TimeProvider time) : IUpstream
{
    private readonly BedrockSettings _settings = provider.Bedrock ?? throw new ArgumentException("A bedrock provider needs its Bedrock settings.", nameof(provider));
    private readonly BedrockSigner _signer = new(provider.Bedrock!, provider.BaseUrl, time);

    public string UpstreamModel(RequestFacts facts) => BedrockRequest.ModelFor(_settings, facts.Model);

    public async Task<UpstreamResult> SendAsync(UpstreamRequest request, RequestFacts facts, CancellationToken cancellationToken)
    {
        var modelId = UpstreamModel(facts);
        if (JsonNode.Parse(request.Head.IsEmpty ? request.Body.Span : [.. request.Head.Span, .. request.Body.Span]) is not JsonObject json)
            return new UpstreamFailure(UpstreamError.Target, "the request body is not a JSON object");
        var betas = request.Headers.Where(h => h.Key.Equals("anthropic-beta", StringComparison.OrdinalIgnoreCase)).SelectMany(h => h.Value).OfType<string>();
        var body = JsonBody.Serialize(BedrockRequest.Body(json, betas, modelId), request.Length).ToArray();
        BedrockSigner.SignedRequest signed;
        try
        {
            signed = await _signer.SignAsync(modelId, facts.Stream, body, cancellationToken);
        }
        catch (Amazon.Runtime.AmazonClientException exception)
        {
            return new UpstreamFailure(UpstreamError.Request, $"no AWS credentials to sign with: {exception.Message}");
        }
        var message = new HttpRequestMessage(HttpMethod.Post, signed.Uri)
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        foreach (var (name, value) in signed.Headers)
        {
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
                message.Headers.Host = value;
            else if (!message.Headers.TryAddWithoutValidation(name, value))
                message.Content.Headers.TryAddWithoutValidation(name, value);
        }
        foreach (var (name, values) in request.Headers)
        {
            if (IsAnthropicOnly(name) || signed.Headers.ContainsKey(name))
                continue;
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        try
        {
            return new BedrockExchange(await invoker.SendAsync(message, cancellationToken), anthropic);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new UpstreamFailure(UpstreamError.Request, exception.Message);
        }
    }

    /// <summary>Client headers that are Anthropic's and mean nothing to Bedrock (the version and betas live in the body).</summary>
    private static bool IsAnthropicOnly(string name) =>
        name.Equals("anthropic-beta", StringComparison.OrdinalIgnoreCase) || name.Equals("anthropic-version", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The passthrough routes of a Messages provider: <c>v1/models</c> and <c>v1/models/{id}</c> list the models this
    /// instance is configured with, in Anthropic's shape; <c>count_tokens</c> has no Bedrock counterpart here: 404 in
    /// Anthropic's shape.
    /// </summary>
    public async Task<UpstreamFailure?> ForwardAsync(HttpContext http, string path, string query)
    {
        var models = BedrockModels.Of(_settings);
        if (path == "v1/models")
            await WriteAsync(http, 200, BedrockModels.List(models));
        else if (path.StartsWith("v1/models/", StringComparison.Ordinal) && models.FirstOrDefault(m => m == Uri.UnescapeDataString(path["v1/models/".Length..])) is { } model)
            await WriteAsync(http, 200, BedrockModels.One(model));
        else
            await WriteAsync(http, 404, anthropic.ErrorBody(new GatewayError(404, "not_found_error",
                path.StartsWith("v1/models/", StringComparison.Ordinal)
                    ? $"model: {Uri.UnescapeDataString(path["v1/models/".Length..])} is not a model of this Bedrock provider."
                    : $"{path} is not served by a Bedrock provider.")));
        return null;
    }

    private static async Task WriteAsync(HttpContext http, int status, byte[] body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }

    /// <summary>One Bedrock answer, seen as the Anthropic API would have given it.</summary>
    private sealed class BedrockExchange(HttpResponseMessage response, IApiDialect anthropic) : ResponseExchange(response)
    {
        public override bool IsStream => IsSuccess && HasMediaType("application/vnd.amazon.eventstream");

        /// <summary>
        /// The relayable headers, with the content type the client's API has (an event stream is relayed as SSE, an error
        /// as Anthropic's JSON) and without Bedrock's token-count headers, which repeat the usage in the body.
        /// </summary>
        protected override IReadOnlyList<KeyValuePair<string, StringValues>> RelayedHeaders() =>
        [
            .. base.RelayedHeaders().Where(h => !h.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase)
                && !h.Key.StartsWith("x-amzn-bedrock-", StringComparison.OrdinalIgnoreCase) && !h.Key.Equals("x-amzn-errortype", StringComparison.OrdinalIgnoreCase)),
            new("content-type", IsStream ? "text/event-stream; charset=utf-8" : "application/json"),
        ];

        public override async IAsyncEnumerable<SseEvent> ReadEventsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var message in ReadItemsAsync(EventStream.ReadAsync, cancellationToken))
                foreach (var item in BedrockEvents.ToAnthropic(message, anthropic))
                    yield return item;
        }

        public override async Task<byte[]?> ReadBodyAsync(CancellationToken cancellationToken) =>
            await ReadRawBodyAsync(cancellationToken) is not { } body ? null
            : IsSuccess ? body
            : BedrockEvents.ErrorBody(Status, Response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null, body, anthropic);
    }
}
