using Bridgekeeper.Auth;
using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;
using Bridgekeeper.Recording;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Interception;

/// <summary>
/// One intercepted client request: who made it, where it goes, and what it recorded. Every record goes to the
/// audit sink (never the database directly); <see cref="End"/> is called exactly once and releases the admission.
/// </summary>
internal sealed class Interception(IAuditSink audit, TimeProvider time, GatewayUser user, Provider provider, IApiDialect dialect, CostCalculator prices,
    ResponseOwners? owners = null)
{
    private int _ended;

    /// <summary>When the request arrived: the interception's <c>started_at</c>, and the instant its UUIDv7 id is made of (<see cref="AuditIds.FirstAt"/>).</summary>
    private readonly (DateTimeOffset At, Guid Id) _arrival = Arrive(time);

    public Guid Id => _arrival.Id;
    public GatewayUser User { get; } = user;
    /// <summary>The provider instance the request goes to: the route's, or the one a model alias sends it to (<see cref="Redirect"/>).</summary>
    public Provider Provider { get; private set; } = provider;
    public IApiDialect Dialect { get; } = dialect;
    public RequestFacts Facts { get; private set; } = new("", false, null, null, true);

    /// <summary>The request came through the forward proxy (recorded in the metadata as <c>"via": "proxy"</c>).</summary>
    public bool ViaProxy { get; init; }

    /// <summary>The client's session, once <see cref="Start"/> has read it.</summary>
    public string? SessionId { get; private set; }

    /// <summary>Whether <see cref="Start"/> has recorded the interception's start.</summary>
    public bool Started { get; private set; }

    /// <summary>What the recorded exchanges cost, summed over the priced ones (USD).</summary>
    public decimal CostUsd { get; private set; }

    /// <summary>The tokens the recorded exchanges counted against rate limits (<see cref="Spend.RateLimiter.Counted"/>), summed.</summary>
    public long CountedTokens { get; private set; }

    /// <summary>What this request holds against budgets and rate limits until it settles, or null when none applies.</summary>
    public Spend.SpendTicket? Admission { get; set; }

    /// <summary>The model alias the client named, when it named one (recorded in the metadata as <c>alias</c>).</summary>
    public string? Alias { get; private set; }

    /// <summary>Sends the request to the provider an alias maps its model to; only before <see cref="Start"/>.</summary>
    public void Redirect(Provider target, string alias)
    {
        if (Started)
            throw new InvalidOperationException("An interception is redirected before it starts.");
        (Provider, Alias) = (target, alias);
    }

    /// <summary>The model that is priced: the one the upstream calls (<see cref="IUpstream.UpstreamModel"/>), else the client's.</summary>
    public string PricedModel => _upstreamModel ?? Facts.Model;

    private string? _upstreamModel;

    /// <param name="upstreamModel">The model the upstream calls, when it maps the client's (recorded in the metadata as <c>upstream_model</c>).</param>
    public void Start(RequestFacts facts, string client, string? userAgent, string? sessionId, string? upstreamModel = null)
    {
        Started = true;
        Facts = facts;
        SessionId = sessionId;
        _upstreamModel = upstreamModel == facts.Model ? null : upstreamModel;
        var metadata = _upstreamModel is null && !ViaProxy && Alias is null ? "{}"u8.ToArray() : Json.Write((_upstreamModel, ViaProxy, Alias), static (writer, state) =>
        {
            writer.WriteStartObject();
            if (state._upstreamModel is { } model)
                writer.WriteString("upstream_model", model);
            if (state.ViaProxy)
                writer.WriteString("via", "proxy");
            if (state.Alias is { } alias)
                writer.WriteString("alias", alias);
            writer.WriteEndObject();
        });
        var now = time.GetUtcNow();
        var started = new InterceptionStarted(Id, _arrival.At, User.Id, Provider.Name, Provider.Type, facts.Model, client, userAgent, sessionId, facts.Stream,
            System.Text.Encoding.UTF8.GetString(metadata));
        if (facts.Prompt is { Text.Length: > 0 } prompt)
            audit.Record(started, new PromptRecorded(Id, now, RecordText.Truncate(prompt.Text, MaxRecordedText, prompt.TotalBytes)));
        else
            audit.Record(started);
    }

    /// <summary>
    /// Records one upstream exchange: its usage row, the client tool calls the model made, and its thoughts. Calls to
    /// injected tools are recorded by the loop, with their results. The usage row carries its cost, priced now for the
    /// requested model, so a later price change never rewrites it (null when the model has no price).
    /// </summary>
    /// <returns>The exchange's cost in USD, or null when unpriced or without usage.</returns>
    public decimal? RecordExchange(ExchangeSummary summary, IReadOnlySet<string> injected)
    {
        var now = time.GetUtcNow();
        decimal? cost = null;
        if (summary.ResponseId is { } responseId && Dialect.StoresResponses)
            owners?.Remember(responseId, User.Id);
        var records = new List<AuditRecord>(1 + summary.ToolCalls.Count + summary.Thoughts.Count);
        if (summary.Usage is { } usage)
        {
            var price = prices.Find(PricedModel, _arrival.At);          // the price in force when the request arrived
            cost = price?.Cost(usage);
            CostUsd += cost ?? 0;
            CountedTokens += Spend.RateLimiter.Counted(usage);
            records.Add(new TokenUsageRecorded(Id, now, summary.ResponseId, usage.Input, usage.Output, usage.CacheRead, usage.CacheWrite, usage.Reasoning,
                Extra(usage.ServiceTier, price), cost)
            {
                CacheWrite1hTokens = usage.CacheWrite1h,
                WebSearchRequests = usage.WebSearches,
            });
        }
        foreach (var call in summary.ToolCalls.Where(call => !injected.Contains(call.Name)))
            records.Add(new ToolUsageRecorded(Id, now, call.Name, call.Id, Recorded(call.Arguments), Injected: false, null, null, null));
        foreach (var thought in summary.Thoughts)
            records.Add(new ThoughtRecorded(Id, now, Recorded(thought.Content), thought.Source));
        audit.Record(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(records));   // one spool write for the exchange
        return cost;
    }

    /// <summary>
    /// A usage row's <c>extra</c>: for an OpenAI response served on a non-standard tier, <c>service_tier</c> and, when priced,
    /// <c>priced_as</c>: that tier when its prices are known, else <c>standard</c> (the shipped source prices no tier).
    /// </summary>
    private static string Extra(string? serviceTier, ModelPrice? price) => serviceTier is null ? "{}" : System.Text.Encoding.UTF8.GetString(
        Json.Write((serviceTier, price), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteString("service_tier", state.serviceTier);
            if (state.price is { } known)
                writer.WriteString("priced_as", known.PricesTier(state.serviceTier) ? state.serviceTier : "standard");
            writer.WriteEndObject();
        }));

    /// <summary>Records a call to an injected tool and what running it gave (each text bounded as records hold them).</summary>
    public void RecordInjectedCall(ToolCall call, string serverUrl, string? result, string? error, TimeSpan? duration = null) =>
        audit.Record(new ToolUsageRecorded(Id, time.GetUtcNow(), call.Name, call.Id, Recorded(call.Arguments), Injected: true, serverUrl,
            result is null ? null : Recorded(result), error is null ? null : Recorded(error),
            duration is { } d ? (long)d.TotalMilliseconds : null));

    /// <summary>Records injected calls the loop did not run, with the reason.</summary>
    public void RecordSkippedCalls(IReadOnlyList<ToolCall> calls, string reason)
    {
        var now = time.GetUtcNow();
        audit.Record([.. calls.Select(call => (AuditRecord)new ToolUsageRecorded(Id, now, call.Name, call.Id, Recorded(call.Arguments), Injected: true, null, null, reason))]);
    }

    /// <summary>How much of one text (prompt, tool input or result, thought, error) a record holds: 64 KiB of UTF-8 (SPEC §5).</summary>
    public const int MaxRecordedText = 64 * 1024;

    /// <summary>A text from outside as a record holds it (<see cref="RecordText.Truncate"/>).</summary>
    private static string Recorded(string text) => RecordText.Truncate(text, MaxRecordedText);

    private static (DateTimeOffset, Guid) Arrive(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return (now, AuditIds.New(now));
    }

    public void End(Outcome outcome)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
            return;
        audit.Record(new InterceptionEnded(Id, time.GetUtcNow(), outcome.StatusName, outcome.Error is { } error ? Recorded(error) : null));
        audit.Release();
    }
}

/// <summary>How an interception ended.</summary>
internal enum OutcomeStatus
{
    Completed,

    /// <summary>Failed, with the real reason: bad input, the upstream, the database, a loop cap, the gateway.</summary>
    Failed,

    /// <summary>Only ever: the client left.</summary>
    Canceled,
}

/// <summary>How an interception ended: <c>completed</c>, <c>failed</c> with a reason, or <c>canceled</c> (the client left) with one.</summary>
internal readonly record struct Outcome(OutcomeStatus Status, string? Error)
{
    public static readonly Outcome Completed = new(OutcomeStatus.Completed, null);

    public static Outcome Failed(string error) => new(OutcomeStatus.Failed, error);

    public static Outcome Canceled(string reason) => new(OutcomeStatus.Canceled, reason);

    /// <summary>The status as records, metrics and logs name it (SPEC §5).</summary>
    public string StatusName => Status switch
    {
        OutcomeStatus.Completed => InterceptionStatus.Completed,
        OutcomeStatus.Failed => InterceptionStatus.Failed,
        _ => InterceptionStatus.Canceled,
    };
}
