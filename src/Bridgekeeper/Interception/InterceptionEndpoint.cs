using System.Text.Json;
using System.Text.Json.Nodes;
using Bridgekeeper.Auth;
using Bridgekeeper.Metrics;
using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;
using Bridgekeeper.Recording;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Interception;

/// <summary>
/// Handles an intercepted route: (1) authenticate, (2) admit against the audit queue, (3) read and parse the body,
/// (4) record the start and prompt, (5) edit the body surgically and send it upstream, (6) relay the answer
/// (<see cref="ExchangeRelay"/>), (7) record usage, tools, thoughts and the end. Steps 1-3 reject bad input in the
/// provider's error shape before anything reaches the upstream.
/// </summary>
internal sealed partial class InterceptionEndpoint(
    KeyAuthenticator authenticator,
    IAuditSink audit,
    ExchangeRelay relay,
    InjectedTools tools,
    BridgekeeperMetrics metrics,
    InterceptionOptions options,
    CostCalculator prices,
    TimeProvider time,
    ILogger<InterceptionEndpoint> logger)
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256, AllowDuplicateProperties = false };

    public async Task HandleAsync(HttpContext http, Provider provider, IApiDialect dialect)
    {
        var ct = http.RequestAborted;
        if (await ProviderKeys.AuthenticateAsync(authenticator, http, dialect) is not { } user)
            return;
        if (provider.Upstream is not { } upstream)
        {
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.Unavailable($"The provider '{provider.Name}' has no upstream key configured."), ct);
            return;
        }
        if (!audit.TryAdmit())
        {
            metrics.AuditQueueFull();
            http.Response.Headers.RetryAfter = "1";
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.Unavailable("The gateway's audit queue is full; retry shortly."), ct);
            return;
        }

        var startedAt = time.GetTimestamp();
        // The host may have started an unrecorded request activity of its own; under a parent-based sampler it would
        // silently unsample ours, so our server span starts from the caller's traceparent or as a root.
        if (System.Diagnostics.Activity.Current is { Recorded: false })
            System.Diagnostics.Activity.Current = null;
        using var span = BridgekeeperMetrics.Tracing.StartActivity($"{http.Request.Method} {dialect.Name}", System.Diagnostics.ActivityKind.Server,
            IncomingTraceContext(http.Request));
        var interception = new Interception(audit, time, user, provider, dialect, prices);
        var outcome = Outcome.Canceled("client disconnected");
        metrics.InterceptionStarted(provider.Name, dialect.Name);
        try
        {
            outcome = await InterceptAsync(http, interception, upstream, startedAt, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            LogClientClosed(interception.Id);
        }
        finally
        {
            interception.End(outcome);
            if (span is not null)
            {
                span.SetTag("gen_ai.provider.name", provider.Type);
                span.SetTag("gen_ai.request.model", interception.Facts.Model);
                span.SetTag("gen_ai.conversation.id", interception.SessionId);
                span.SetTag("bridgekeeper.interception.id", interception.Id);
                span.SetTag("bridgekeeper.status", outcome.Status);
                if (outcome.Status == Storage.InterceptionStatus.Failed)
                    span.SetStatus(System.Diagnostics.ActivityStatusCode.Error, outcome.Error);
            }
            metrics.InterceptionEnded(provider.Name, dialect.Name, interception.Facts.Model, ClientIdentity.Client(http.Request.Headers.UserAgent),
                outcome.Status, time.GetElapsedTime(startedAt));
        }
    }

    private async Task<Outcome> InterceptAsync(HttpContext http, Interception interception, IUpstream upstream, long startedAt, CancellationToken ct)
    {
        var request = http.Request;
        var client = ClientIdentity.Client(request.Headers.UserAgent);
        var body = await RequestBody.ReadAsync(request, options.MaxRequestBodyBytes, ct);
        if (body is null)
            return await RejectAsync(http, interception, client, GatewayError.TooLarge($"The request body exceeds the gateway's limit of {options.MaxRequestBodyBytes} bytes."), null);
        if (Parse(body) is not { } json)
            return await RejectAsync(http, interception, client, GatewayError.InvalidRequest("The request body is not a valid JSON object."), null);

        var facts = interception.Dialect.Read(json);
        if (facts.Problem is { } problem)
            return await RejectAsync(http, interception, client, problem, facts);
        interception.Start(facts, client, NullIfEmpty(request.Headers.UserAgent), ClientIdentity.Session(request.Headers, facts.SessionId));
        var edited = interception.Dialect.PrepareUpstream(json, facts);
        Injection? injection;
        try
        {
            injection = tools.Prepare(interception, json);
        }
        catch (TooManyToolsException exception)
        {
            await GatewayErrors.WriteAsync(http.Response, interception.Dialect, GatewayError.InvalidRequest(exception.Message), ct);
            return Outcome.Failed($"too_many_tools: {exception.Message}");
        }
        var upstreamBody = edited || injection is not null ? JsonBody.Serialize(json) : body;
        var path = request.Path.Value!;
        var upstreamRequest = new UpstreamRequest(RelativePath(path, interception.Provider.Name) + request.QueryString.Value,
            upstreamBody, ForwardedHeaders.ForUpstream(request.Headers));
        return await relay.RunAsync(http, interception, upstream, upstreamRequest, injection, startedAt);
    }

    /// <summary>Bad input is still an interception of an authenticated user, so it is recorded as failed.</summary>
    private static async Task<Outcome> RejectAsync(HttpContext http, Interception interception, string client, GatewayError error, RequestFacts? facts)
    {
        interception.Start(facts ?? new RequestFacts("", false, null, null, true), client, NullIfEmpty(http.Request.Headers.UserAgent), facts?.SessionId);
        await GatewayErrors.WriteAsync(http.Response, interception.Dialect, error, http.RequestAborted);
        return Outcome.Failed($"{error.Type}: {error.Message}");
    }

    private static JsonObject? Parse(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body, NodeOptions, DocumentOptions) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary><c>/api/v2/aibridge/openai/v1/chat/completions</c> → <c>v1/chat/completions</c>.</summary>
    internal static string RelativePath(string path, string providerName)
    {
        var marker = "/" + providerName + "/";
        var index = path.IndexOf(marker, StringComparison.Ordinal);
        return index < 0 ? path.TrimStart('/') : path[(index + marker.Length)..];
    }

    /// <summary>The caller's W3C <c>traceparent</c>, so our server span joins its trace; otherwise a new root.</summary>
    private static System.Diagnostics.ActivityContext IncomingTraceContext(HttpRequest request) =>
        System.Diagnostics.ActivityContext.TryParse(request.Headers["traceparent"].ToString(), request.Headers["tracestate"].ToString(), out var context)
            ? context : default;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Interception {InterceptionId}: client closed the connection")]
    private partial void LogClientClosed(Guid interceptionId);
}
