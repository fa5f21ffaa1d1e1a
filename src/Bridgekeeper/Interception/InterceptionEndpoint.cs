using Bridgekeeper.Auth;
using Bridgekeeper.Metrics;
using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams;
using Bridgekeeper.Recording;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Interception;

/// <summary>
/// Handles an intercepted route: (1) authenticate, (2) admit against the audit queue, (3) read and parse the body,
/// (4) record the start and prompt, (5) edit the body surgically and send it upstream, (6) relay the answer
/// (<see cref="ToolLoop"/>), (7) record usage, tools, thoughts and the end. Steps 1-3 reject bad input in the
/// provider's error shape before anything reaches the upstream.
/// </summary>
internal sealed partial class InterceptionEndpoint(
    KeyAuthenticator authenticator,
    IAuditSink audit,
    ToolLoop loop,
    InjectedTools tools,
    BridgekeeperMetrics metrics,
    KeyConcurrency concurrency,
    RequestBody bodies,
    ResponseOwners owners,
    CostCalculator prices,
    Spend.SpendGate spend,
    ModelAliases aliases,
    TimeProvider time,
    ILogger<InterceptionEndpoint> logger)
{
    public async Task HandleAsync(HttpContext http, Provider provider, InterceptedRoute route)
    {
        var dialect = route.Dialect;
        var ct = http.RequestAborted;
        if (await ProviderKeys.AuthenticateAsync(authenticator, http, dialect) is not { } user)
            return;
        if (provider.Upstream is not { } upstream)
        {
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.Unavailable($"The provider '{provider.Name}' has no upstream key configured."), ct);
            return;
        }
        using var lease = concurrency.TryEnter(user.KeyId);
        if (!lease.Entered)
        {
            await concurrency.RefuseAsync(http, dialect);
            return;
        }
        if (!audit.TryAdmit())
        {
            metrics.AuditQueueFull();
            http.Response.Headers.RetryAfter = "1";
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.Unavailable("The gateway's audit backlog is full (its database is slow or down); retry shortly."), ct);
            return;
        }

        var startedAt = time.GetTimestamp();
        // The host may have started an unrecorded request activity of its own; under a parent-based sampler it would
        // silently unsample ours, so our server span starts from the caller's traceparent or as a root.
        if (System.Diagnostics.Activity.Current is { Recorded: false })
            System.Diagnostics.Activity.Current = null;
        using var span = BridgekeeperMetrics.Tracing.StartActivity($"{http.Request.Method} {dialect.Name}", System.Diagnostics.ActivityKind.Server,
            IncomingTraceContext(http.Request));
        var interception = new Interception(audit, time, user, provider, dialect, prices, owners)
        {
            ViaProxy = http.Features.Get<ProxiedConnection>() is not null,
        };
        var client = ClientIdentity.Client(http.Request.Headers.UserAgent);
        Outcome outcome;
        metrics.InterceptionStarted(provider.Name, dialect.Name);
        try
        {
            outcome = await InterceptAsync(http, interception, route, upstream, client, startedAt, ct);
        }
        catch (Exception exception)
        {
            // Reading or parsing the request failed (the loop maps its own failures): the one mapping, then the client.
            var failure = Failures.Classify(exception, ct, idle: null, FailurePhase.Request);
            if (failure.Unexpected)
                LogInterceptionFault(interception.Id, exception);
            else
                LogRequestFailed(interception.Id, failure.Outcome.StatusName, failure.Outcome.Error);
            outcome = failure.Outcome;
            await Failures.ReportAsync(http, dialect, failure.Error);
        }
        if (!interception.Started)
            interception.Start(EmptyFacts, client, NullIfEmpty(http.Request.Headers.UserAgent), null);
        if (interception.Admission?.Limits is { } charged)
            Spend.RateLimiter.Settle(charged, interception.CountedTokens);       // before the record ends: whoever sees it ended sees the limit corrected
        interception.End(outcome);
        if (interception.Admission?.Budget is { } ticket)
            await SettleAsync(http, ticket, interception);
        if (span is not null)
        {
            span.SetTag("gen_ai.provider.name", interception.Provider.Type);
            span.SetTag("gen_ai.request.model", interception.Facts.Model);
            span.SetTag("gen_ai.conversation.id", interception.SessionId);
            span.SetTag("bridgekeeper.interception.id", interception.Id);
            span.SetTag("bridgekeeper.status", outcome.StatusName);
            if (outcome.Status == OutcomeStatus.Failed)
                span.SetStatus(System.Diagnostics.ActivityStatusCode.Error, outcome.Error);
        }
        metrics.InterceptionEnded(interception.Provider.Name, dialect.Name, interception.Facts.Model, client, outcome.StatusName, time.GetElapsedTime(startedAt),
            routeProvider: provider.Name);
    }

    /// <summary>
    /// Completes the response (the client has its answer first), then settles the request's budgets, whatever became of
    /// the response: a client that left must not leave its reservation held by a replica that stays alive.
    /// </summary>
    private async Task SettleAsync(HttpContext http, Spend.BudgetTicket ticket, Interception interception)
    {
        try
        {
            await http.Response.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client is gone; the account is still settled.
        }
        finally
        {
            await spend.SettleAsync(ticket, interception.CostUsd);
        }
    }

    private static readonly RequestFacts EmptyFacts = new("", false, null, null, true);

    private async Task<Outcome> InterceptAsync(HttpContext http, Interception interception, InterceptedRoute route, IUpstream upstream, string client,
        long startedAt, CancellationToken ct)
    {
        var request = http.Request;
        var query = request.QueryString.Value ?? "";
        var (body, reservation, refused) = await bodies.ReadAsync(request, ct);
        using var held = reservation;
        if (body is null)
        {
            if (refused!.Status == StatusCodes.Status503ServiceUnavailable)
                http.Response.Headers.RetryAfter = "1";
            return await RejectAsync(http, interception, client, refused, null);
        }
        if (RequestJson.Parse(body, out var unreadable) is not { } json)
            return await RejectAsync(http, interception, client, GatewayError.InvalidRequest(unreadable!), null);

        var facts = interception.Dialect.Read(json);
        if (facts.Problem is { } problem)
            return await RejectAsync(http, interception, client, problem, facts);
        if (aliases.Resolve(facts.Model, interception.Dialect, out var notServed) is { } alias)
        {
            interception.Redirect(alias.Provider, alias.Alias.Name);
            if (alias.Provider.Upstream is not { } aliased)
                return await RejectAsync(http, interception, client, GatewayError.Unavailable($"The provider '{alias.Provider.Name}' has no upstream key configured."), facts);
            (json, upstream, route) = (RequestDocument.Read(ModelAliases.WithModel(json, alias.Alias.Model))!, aliased, alias.Route);
            facts = interception.Dialect.Read(json);
        }
        else if (notServed is not null)
            return await RejectAsync(http, interception, client, notServed, facts);
        if (facts.ContinuesFrom is { } previous && !await owners.IsOwnerAsync(previous, interception.User.Id, ct))
            return await RejectAsync(http, interception, client, new GatewayError(400, "invalid_request_error",
                $"Previous response with id '{previous}' not found.", "previous_response_not_found"), facts,
                $"not_owner: previous_response_id '{previous}' is not a response of this user");
        var upstreamModel = upstream.UpstreamModel(facts);
        interception.Start(facts, client, NullIfEmpty(request.Headers.UserAgent), ClientIdentity.Session(request.Headers, facts.SessionId), upstreamModel);
        string[] models = interception.Alias is { } named ? [named, facts.Model, upstreamModel] : [facts.Model, upstreamModel];
        var (admitted, refusal) = await spend.AdmitAsync(interception.User, models, interception.PricedModel, json.Body.Length, facts.MaxOutputTokens, ct);
        if (refusal is not null)
        {
            await GatewayErrors.WriteAsync(http.Response, interception.Dialect, refusal, ct);
            return Outcome.Failed($"{refusal.Code}: {refusal.Message}");
        }
        interception.Admission = admitted;
        Injection? injection;
        try
        {
            injection = tools.Prepare(interception, json);       // first: an object it builds takes the dialect's edits too
        }
        catch (TooManyToolsException exception)
        {
            await GatewayErrors.WriteAsync(http.Response, interception.Dialect, GatewayError.InvalidRequest(exception.Message), ct);
            return Outcome.Failed($"too_many_tools: {exception.Message}");
        }
        var (head, sent) = JsonBody.ForUpstream(json, interception.Dialect.PrepareUpstream(json, facts));
        var upstreamRequest = new UpstreamRequest(route.Path, query, sent, ForwardedHeaders.ForUpstream(request.Headers)) { Head = head };
        return await loop.RunAsync(http, interception, upstream, upstreamRequest with
        {
            ClientAborted = http.RequestAborted,
            ClientAuthorization = UpstreamCredentials.ClientAuthorization(request.Headers),
        }, injection, startedAt);
    }

    /// <summary>Bad input is still an interception of an authenticated user, so it is recorded as failed.</summary>
    /// <param name="reason">What the record says, when it must say more than the client is told.</param>
    private static async Task<Outcome> RejectAsync(HttpContext http, Interception interception, string client, GatewayError error, RequestFacts? facts,
        string? reason = null)
    {
        interception.Start(facts ?? EmptyFacts, client, NullIfEmpty(http.Request.Headers.UserAgent), facts?.SessionId);
        await GatewayErrors.WriteAsync(http.Response, interception.Dialect, error, http.RequestAborted);
        return Outcome.Failed(reason ?? $"{error.Type}: {error.Message}");
    }

    /// <summary>The caller's W3C <c>traceparent</c>, so our server span joins its trace; otherwise a new root.</summary>
    private static System.Diagnostics.ActivityContext IncomingTraceContext(HttpRequest request) =>
        System.Diagnostics.ActivityContext.TryParse(request.Headers["traceparent"].ToString(), request.Headers["tracestate"].ToString(), out var context)
            ? context : default;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [LoggerMessage(Level = LogLevel.Information, Message = "Interception {InterceptionId}: {Status}: {Reason}")]
    private partial void LogRequestFailed(Guid interceptionId, string status, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Interception {InterceptionId}: the gateway failed while reading the request")]
    private partial void LogInterceptionFault(Guid interceptionId, Exception exception);
}
