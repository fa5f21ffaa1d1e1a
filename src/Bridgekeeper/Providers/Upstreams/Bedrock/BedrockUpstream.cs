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
        var sent = await SendSignedAsync(modelId, facts.Stream ? BedrockSigner.Operations.InvokeStream : BedrockSigner.Operations.Invoke, body,
            request.Headers, cancellationToken);
        return sent.Failure is { } failure ? failure : new BedrockExchange(sent.Response!, anthropic);
    }

    /// <summary>Signs and sends one operation; the client's own headers go along unsigned, except Anthropic's.</summary>
    private async Task<(HttpResponseMessage? Response, UpstreamFailure? Failure)> SendSignedAsync(string modelId, string operation, byte[] body,
        IEnumerable<KeyValuePair<string, StringValues>> clientHeaders, CancellationToken cancellationToken)
    {
        BedrockSigner.SignedRequest signed;
        try
        {
            signed = await _signer.SignAsync(modelId, operation, body, cancellationToken);
        }
        catch (Amazon.Runtime.AmazonClientException exception)
        {
            return (null, new UpstreamFailure(UpstreamError.Request, $"no AWS credentials to sign with: {exception.Message}"));
        }
        var message = new HttpRequestMessage(HttpMethod.Post, signed.Uri)
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        message.Headers.Host = signed.Headers["host"];
        UpstreamMessages.AddHeaders(message, signed.Headers.Where(h => !h.Key.Equals("host", StringComparison.OrdinalIgnoreCase))
            .Select(h => new KeyValuePair<string, StringValues>(h.Key, h.Value)));
        UpstreamMessages.AddHeaders(message, clientHeaders.Where(h => !IsAnthropicOnly(h.Key) && !signed.Headers.ContainsKey(h.Key)));
        return await UpstreamMessages.SendAsync(invoker, message, cancellationToken);
    }

    /// <summary>Bedrock's error type (<c>Type:namespace</c>) beside an error's <c>{"message"}</c>.</summary>
    private const string ErrorTypeHeader = "x-amzn-ErrorType";

    /// <summary>Client headers that are Anthropic's and mean nothing to Bedrock (the version and betas live in the body).</summary>
    private static bool IsAnthropicOnly(string name) =>
        name.Equals("anthropic-beta", StringComparison.OrdinalIgnoreCase) || name.Equals("anthropic-version", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The passthrough routes of a Messages provider: <c>v1/models</c> and <c>v1/models/{id}</c> list the models this
    /// instance is configured with, in Anthropic's shape; <c>v1/messages/count_tokens</c> is Bedrock's
    /// <c>CountTokens</c> on the mapped model (a region without it answers its own error, relayed in Anthropic's shape).
    /// </summary>
    public async Task<UpstreamFailure?> ForwardAsync(HttpContext http, string path, string query)
    {
        const string ModelsPath = "v1/models";
        var models = BedrockModels.Of(_settings);
        if (path == "v1/messages/count_tokens")
            return await CountTokensAsync(http);
        if (path == ModelsPath)
            await WriteAsync(http, 200, BedrockModels.List(models));
        else if (path.StartsWith(ModelsPath + "/", StringComparison.Ordinal) && Uri.UnescapeDataString(path[(ModelsPath.Length + 1)..]) is var id)
            await WriteAsync(http, models.Contains(id) ? 200 : 404, models.Contains(id) ? BedrockModels.One(id)
                : anthropic.ErrorBody(new GatewayError(404, "not_found_error", $"model: {id} is not a model of this Bedrock provider.")));
        else
            await WriteAsync(http, 404, anthropic.ErrorBody(new GatewayError(404, "not_found_error", $"{path} is not served by a Bedrock provider.")));
        return null;
    }

    /// <summary>
    /// Anthropic's <c>count_tokens</c> as Bedrock's <c>CountTokens</c>: the Messages body made into the InvokeModel body the
    /// model would get (with a <c>max_tokens</c>, which InvokeModel requires and count_tokens has not), base64 in
    /// <c>{"input":{"invokeModel":{"body":…}}}</c>; <c>{"inputTokens": N}</c> comes back as <c>{"input_tokens": N}</c>.
    /// </summary>
    private async Task<UpstreamFailure?> CountTokensAsync(HttpContext http)
    {
        var ct = http.RequestAborted;
        using var read = new MemoryStream();
        await http.Request.Body.CopyToAsync(read, ct);
        if (UpstreamJson.Parse(read.ToArray()) is not JsonObject json || Json.String(json["model"]) is not { } model)
        {
            await WriteAsync(http, 400, anthropic.ErrorBody(GatewayError.InvalidRequest("The request body must be a JSON object with a model.")));
            return null;
        }
        var modelId = BedrockRequest.ModelFor(_settings, model);
        json["max_tokens"] ??= 1;
        var invokeBody = JsonBody.Serialize(BedrockRequest.Body(json, http.Request.Headers["anthropic-beta"].OfType<string>(), modelId)).ToArray();
        var body = Json.Write(invokeBody, static (writer, inner) =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("input");
            writer.WriteStartObject("invokeModel");
            writer.WriteBase64String("body", inner);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
        var sent = await SendSignedAsync(modelId, BedrockSigner.Operations.CountTokens, body, [], ct);
        if (sent.Failure is { } failure)
            return failure;
        using var response = sent.Response!;
        var answer = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            await WriteAsync(http, (int)response.StatusCode, BedrockEvents.ErrorBody((int)response.StatusCode,
                UpstreamMessages.Header(response.Headers, ErrorTypeHeader), answer, anthropic));
            return null;
        }
        var tokens = UpstreamJson.Parse(answer) is JsonObject counted ? Json.Long(counted["inputTokens"]) : null;
        if (tokens is null)
            return new UpstreamFailure(UpstreamError.ResponseBody, "Bedrock's CountTokens answer holds no inputTokens");
        await WriteAsync(http, 200, Json.Write(tokens.Value, static (writer, n) =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("input_tokens", n);
            writer.WriteEndObject();
        }));
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
            : BedrockEvents.ErrorBody(Status, UpstreamMessages.Header(Response.Headers, ErrorTypeHeader), body, anthropic);
    }
}
