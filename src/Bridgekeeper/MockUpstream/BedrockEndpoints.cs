using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// The Bedrock Runtime stand-in: <c>POST /model/{modelId}/invoke</c> (the Message JSON) and
/// <c>POST /model/{modelId}/invoke-with-response-stream</c> (event-stream frames), at the root and under
/// <see cref="Prefix"/>. Each request is checked as Bedrock checks it, in order: SigV4 (<see cref="BedrockSigV4"/>,
/// 403), the <c>x-mock-*</c> controls, the JSON body (<see cref="BedrockRequestRules"/>, 400), then answered as the
/// Anthropic mock answers, in Bedrock's framing. The model id is the path segment decoded once, so
/// <c>v1:0</c> and <c>v1%3A0</c> are one model, and an ARN comes with <c>/</c> as <c>%2F</c>.
/// </summary>
internal sealed class BedrockEndpoints(MockUpstreamOptions options, TimeProvider time)
{
    /// <summary>The path prefix a gateway's <c>base_url</c> can point at, beside the root.</summary>
    public const string Prefix = "/bedrock";

    public const string InvokePath = "invoke";
    public const string StreamPath = "invoke-with-response-stream";
    public const string CountTokensPath = "count-tokens";
    public const string EventStreamContentType = "application/vnd.amazon.eventstream";
    public const string InputTokensHeader = "x-amzn-bedrock-input-token-count";
    public const string OutputTokensHeader = "x-amzn-bedrock-output-token-count";
    public const string CacheReadTokensHeader = "x-amzn-bedrock-cache-read-input-token-count";
    public const string CacheWriteTokensHeader = "x-amzn-bedrock-cache-write-input-token-count";
    public const string LatencyHeader = "x-amzn-bedrock-invocation-latency";
    public const string ContentTypeHeader = "x-amzn-bedrock-content-type";

    public void Map(IEndpointRouteBuilder routes)
    {
        foreach (var prefix in new[] { "", Prefix })
        {
            routes.MapPost($"{prefix}/model/{{modelId}}/{InvokePath}", http => InvokeAsync(http, stream: false));
            routes.MapPost($"{prefix}/model/{{modelId}}/{StreamPath}", http => InvokeAsync(http, stream: true));
            routes.MapPost($"{prefix}/model/{{modelId}}/{CountTokensPath}", CountTokensAsync);
        }
    }

    /// <summary>True for the paths Bedrock's routes live under (they get no Anthropic or OpenAI account headers).</summary>
    public static bool IsBedrockPath(PathString path) => path.StartsWithSegments(Prefix) || path.StartsWithSegments("/model");

    /// <summary>The request target exactly as it came on the wire (Kestrel's <see cref="HttpRequest.Path"/> is decoded).</summary>
    public static string RawTarget(HttpContext http) =>
        http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/'
            ? raw
            : http.Request.Path.ToUriComponent() + http.Request.QueryString.ToUriComponent();

    /// <summary>
    /// <c>CountTokens</c>: <c>{"input":{"invokeModel":{"body":"&lt;base64 of an InvokeModel body&gt;"}}}</c>, signed like
    /// every call; the body inside must pass the same schema rules; the answer is <c>{"inputTokens": N}</c>, N a quarter
    /// of the inner body's bytes (at least 1), as the Anthropic mock counts.
    /// </summary>
    private async Task CountTokensAsync(HttpContext http)
    {
        var call = http.Features.GetRequiredFeature<MockCall>();
        var rawTarget = RawTarget(http);
        if (BedrockSigV4.Verify(new SigV4Request(http.Request.Method, rawTarget, http.Request.Headers, call.Body), options.Bedrock,
            time.GetUtcNow() + options.Bedrock.ClockOffset) is { } refused)
        {
            await refused.WriteAsync(call);
            return;
        }
        byte[] inner;
        try
        {
            inner = MockJson.ParseObject(call.Body)?["input"]?["invokeModel"]?["body"]?.GetValue<string>() is { } encoded ? Convert.FromBase64String(encoded) : [];
        }
        catch (Exception exception) when (exception is FormatException or InvalidOperationException)
        {
            inner = [];
        }
        if (MockJson.ParseObject(inner) is not { } request)
        {
            await BedrockError.BadRequest("input.invokeModel.body must be the base64 of an InvokeModel request body.").WriteAsync(call);
            return;
        }
        if (BedrockRequestRules.Refusal(request, ModelId(rawTarget)) is { } refusal)
        {
            await BedrockError.BadRequest(refusal).WriteAsync(call);
            return;
        }
        await call.WriteJsonAsync(StatusCodes.Status200OK, new System.Text.Json.Nodes.JsonObject { ["inputTokens"] = Math.Max(1, inner.Length / 4) });
    }

    private async Task InvokeAsync(HttpContext http, bool stream)
    {
        var started = time.GetTimestamp();
        var call = http.Features.GetRequiredFeature<MockCall>();
        var rawTarget = RawTarget(http);
        var signed = new SigV4Request(http.Request.Method, rawTarget, http.Request.Headers, call.Body);
        if (BedrockSigV4.Verify(signed, options.Bedrock, time.GetUtcNow() + options.Bedrock.ClockOffset) is { } refused)
        {
            await refused.WriteAsync(call);
            return;
        }
        var headers = http.Request.Headers;
        if (!MockControls.TryRead(headers, options, out var controls, out var error))
        {
            await BedrockError.BadRequest(error ?? "bad x-mock header").WriteAsync(call);
            return;
        }
        var exceptionType = headers[BedrockStreamExceptions.Header].ToString() is { Length: > 0 } named ? named : BedrockStreamExceptions.ModelStreamError;
        if (!BedrockStreamExceptions.Messages.ContainsKey(exceptionType))
        {
            await BedrockError.BadRequest($"{BedrockStreamExceptions.Header}: unknown exception '{exceptionType}' "
                + $"({string.Join(", ", BedrockStreamExceptions.Messages.Keys)})").WriteAsync(call);
            return;
        }
        call.Controls = controls;
        await call.DelayAsync(controls.Latency);

        var modelId = ModelId(rawTarget);
        if (MockJson.ParseObject(call.Body) is not { } request)
        {
            await BedrockError.BadRequest("Malformed input request: expected type: JSONObject, please reformat your input and try again.").WriteAsync(call);
            return;
        }
        if (BedrockRequestRules.Refusal(request, modelId) is { } refusal)
        {
            await BedrockError.BadRequest(refusal).WriteAsync(call);
            return;
        }
        if (modelId is MockModels.MissingModel)
        {
            await BedrockError.BadRequest("The provided model identifier is invalid.").WriteAsync(call);
            return;
        }
        if (!MockReply.TryFrom(MockApi.AnthropicMessages, controls, request, out var reply, out error))
        {
            await BedrockError.BadRequest(error ?? "bad mock: directive").WriteAsync(call);
            return;
        }
        reply = reply with { Model = modelId, Stream = stream };
        if (reply.Scenario is MockScenario.ErrorBefore || (reply.Scenario is MockScenario.ErrorMid && !stream))
            await BedrockError.ForStatus(controls.ErrorStatus).WriteAsync(call);
        else if (!stream)
            await BlockingAsync(call, reply, started);
        else
        {
            call.StartBinaryStream(EventStreamContentType,
                [new(BedrockError.RequestIdHeader, Guid.NewGuid().ToString("D")), new(ContentTypeHeader, "application/json")]);
            await AnthropicMessagesResponder.StreamAsync(call, reply, new BedrockEventStream(call, reply.Usage, exceptionType, time, started));
        }
    }

    private async Task BlockingAsync(MockCall call, MockReply reply, long started)
    {
        if (await call.HungBlockingAsync(reply.Scenario))
            return;
        var usage = reply.Usage;
        await call.WriteJsonAsync(StatusCodes.Status200OK, AnthropicMessagesResponder.Message(reply),
        [
            new(BedrockError.RequestIdHeader, Guid.NewGuid().ToString("D")),
            new(InputTokensHeader, Text(usage.Input)),
            new(OutputTokensHeader, Text(usage.Output)),
            new(CacheReadTokensHeader, Text(usage.CacheRead)),
            new(CacheWriteTokensHeader, Text(usage.CacheWrite)),
            new(LatencyHeader, Text((int)time.GetElapsedTime(started).TotalMilliseconds)),
        ], truncated: reply.Scenario is MockScenario.Cut, dropped: reply.Scenario is MockScenario.Drop);
    }

    /// <summary>The segment before the operation, decoded once: <c>anthropic.claude-…-v1%3A0</c> is <c>anthropic.claude-…-v1:0</c>.</summary>
    public static string ModelId(string rawTarget)
    {
        var query = rawTarget.IndexOf('?');
        var segments = (query < 0 ? rawTarget : rawTarget[..query]).Split('/');
        return segments.Length >= 2 ? Uri.UnescapeDataString(segments[^2]) : "";
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
