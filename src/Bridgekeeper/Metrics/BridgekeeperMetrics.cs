using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Bridgekeeper.Metrics;

/// <summary>
/// Every instrument the gateway exports, in one place (Prometheus at <c>/metrics</c>, names after the exporter's
/// conversion shown below). Labels are bounded: never a user or a key, and a model only by the name of one the gateway
/// knows (<see cref="ModelLabels"/>: at most 500, the rest <c>other</c>). Worst-case series counts assume P providers,
/// M ≤ 501 model labels, D = 3 dialects, C = 9 clients, S = 4 statuses, T injected tools:
/// <list type="bullet">
/// <item><c>bridgekeeper_interceptions_total{provider,model,dialect,client,status}</c>: P·M·D·C·S.</item>
/// <item><c>bridgekeeper_interceptions_in_flight{provider,dialect}</c>: P·D.</item>
/// <item><c>bridgekeeper_interception_duration_seconds{provider,dialect,status}</c>, <c>bridgekeeper_upstream_ttfb_seconds{provider,dialect}</c>, <c>bridgekeeper_gateway_overhead_seconds{provider,dialect}</c>: histograms, P·D(·S) series each times the buckets.</item>
/// <item><c>bridgekeeper_tokens_total{provider,model,type}</c>: P·M·5; <c>bridgekeeper_cost_usd_total{provider,model}</c>: P·M; <c>bridgekeeper_unpriced_usages_total{provider}</c> (usage records whose model has no price): P.</item>
/// <item><c>bridgekeeper_injected_tool_calls_total{server,tool,status}</c>: T·2.</item>
/// <item><c>bridgekeeper_passthrough_requests_total{provider,status}</c>: P·(HTTP statuses seen, e.g. 200, 401, 404).</item>
/// <item><c>bridgekeeper_key_lookups_total</c> (database lookups of keys, on the request path or refreshing the cache) and
/// <c>bridgekeeper_auth_refusals_total{reason}</c> (<c>invalid</c>, <c>throttled</c>, <c>unavailable</c>): 4.</item>
/// <item><c>bridgekeeper_upstream_keys{provider,state}</c> (keys <c>available</c> or <c>set_aside</c> now) and
/// <c>bridgekeeper_upstream_key_set_asides_total{provider,reason}</c> (<c>rate_limited</c>, <c>refused</c>): P·2 each.</item>
/// <item><c>bridgekeeper_upstream_circuit_state{provider,model}</c> (0 closed, 1 half-open, 2 open; model <c>passthrough</c> for the passthrough
/// routes) and <c>bridgekeeper_upstream_circuit_changes_total{provider,model,state}</c> (<c>opened</c>, <c>half_open</c>, <c>closed</c>): P·(M+1)(·3).</item>
/// <item><c>bridgekeeper_audit_queue_depth</c>, <c>bridgekeeper_audit_batches_total{status}</c>, <c>bridgekeeper_audit_batch_seconds</c>, <c>bridgekeeper_audit_queue_full_total</c>, <c>bridgekeeper_retention_deleted_total</c>: a handful.</item>
/// <item>OpenTelemetry GenAI: <c>gen_ai.client.token.usage</c>, <c>gen_ai.client.operation.duration</c>, <c>gen_ai.server.time_to_first_token</c> with <c>gen_ai.operation.name</c>, <c>gen_ai.provider.name</c>, <c>gen_ai.request.model</c> (and <c>gen_ai.token.type</c>).</item>
/// </list>
/// </summary>
internal sealed class BridgekeeperMetrics
{
    public const string MeterName = "Bridgekeeper";
    public static readonly ActivitySource Tracing = new("Bridgekeeper");

    private readonly Meter _meter;
    private readonly Counter<long> _interceptions;
    private readonly UpDownCounter<long> _inFlight;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _ttfb;
    private readonly Histogram<double> _overhead;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _unpriced;
    private readonly Counter<long> _injectedCalls;
    private readonly Counter<long> _passthrough;
    private readonly Counter<long> _auditBatches;
    private readonly Histogram<double> _auditBatchSeconds;
    private readonly Counter<long> _auditQueueFull;
    private readonly Counter<long> _retentionDeleted;
    private readonly Counter<long> _keyLookups;
    private readonly Counter<long> _authRefusals;
    private readonly Histogram<long> _genAiTokens;
    private readonly Histogram<double> _genAiDuration;
    private readonly Histogram<double> _genAiTtft;
    private readonly Counter<long> _keySetAsides;
    private readonly Gauge<int> _circuitState;
    private readonly Counter<long> _circuitChanges;
    private readonly Counter<long> _proxyConnects;
    private readonly UpDownCounter<long> _proxyTunnels;
    private readonly Counter<long> _budgetAdmissions;
    private readonly Counter<long> _budgetReleased;
    private readonly Counter<long> _limitAdmissions;
    private readonly Counter<long> _limitLeases;
    private readonly Counter<long> _modelRefusals;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<(int Available, int SetAside)>> _keyPools = new(StringComparer.Ordinal);
    private readonly ModelLabels _models;

    /// <summary>Seconds buckets from 50 µs to 10 min: overheads are microseconds, generations minutes (OTel's defaults assume milliseconds).</summary>
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    };

    public BridgekeeperMetrics(IMeterFactory meters, Func<int> auditQueueDepth, ModelLabels models, string meterName = MeterName)
    {
        _models = models;
        var meter = _meter = meters.Create(meterName);
        _interceptions = meter.CreateCounter<long>("bridgekeeper_interceptions", description: "Intercepted requests, by outcome");
        _inFlight = meter.CreateUpDownCounter<long>("bridgekeeper_interceptions_in_flight", description: "Interceptions being served now");
        _duration = meter.CreateHistogram<double>("bridgekeeper_interception_duration", "s", "Time from request to the end of the response", advice: Seconds);
        _ttfb = meter.CreateHistogram<double>("bridgekeeper_upstream_ttfb", "s", "Time from sending upstream to its response headers", advice: Seconds);
        _overhead = meter.CreateHistogram<double>("bridgekeeper_gateway_overhead", "s", "Time spent in the gateway up to the first upstream byte, excluding the wait on the upstream", advice: Seconds);
        _tokens = meter.CreateCounter<long>("bridgekeeper_tokens", description: "Tokens by type (input excludes cached input)");
        _cost = meter.CreateCounter<double>("bridgekeeper_cost_usd", description: "Cost in USD of priced token usage");
        _unpriced = meter.CreateCounter<long>("bridgekeeper_unpriced_usages", description: "Token-usage records of models without a price (their cost is null), by provider");
        _injectedCalls = meter.CreateCounter<long>("bridgekeeper_injected_tool_calls", description: "Injected MCP tool calls run by the gateway");
        _passthrough = meter.CreateCounter<long>("bridgekeeper_passthrough_requests", description: "Requests on passthrough routes");
        _auditBatches = meter.CreateCounter<long>("bridgekeeper_audit_batches", description: "Audit batch writes, by result");
        _auditBatchSeconds = meter.CreateHistogram<double>("bridgekeeper_audit_batch", "s", "Time to write one audit batch", advice: Seconds);
        _auditQueueFull = meter.CreateCounter<long>("bridgekeeper_audit_queue_full", description: "Interceptions refused because the audit queue was full");
        _retentionDeleted = meter.CreateCounter<long>("bridgekeeper_retention_deleted", description: "Interceptions removed by retention");
        _keyLookups = meter.CreateCounter<long>("bridgekeeper_key_lookups", description: "Database lookups of presented keys");
        _authRefusals = meter.CreateCounter<long>("bridgekeeper_auth_refusals", description: "Requests whose key was refused, by reason");
        meter.CreateObservableGauge("bridgekeeper_upstream_keys", ObserveKeyPools, description: "Upstream keys of a provider's pool, available or set aside");
        _keySetAsides = meter.CreateCounter<long>("bridgekeeper_upstream_key_set_asides", description: "Upstream keys set aside after a 429, 401 or 403, by reason");
        _circuitState = meter.CreateGauge<int>("bridgekeeper_upstream_circuit_state", description: "Circuit of a provider and model: 0 closed, 1 half-open, 2 open");
        _circuitChanges = meter.CreateCounter<long>("bridgekeeper_upstream_circuit_changes", description: "Circuit state changes of a provider and model");
        _proxyConnects = meter.CreateCounter<long>("bridgekeeper_proxy_connects", description: "CONNECTs to the forward proxy, by outcome");
        _proxyTunnels = meter.CreateUpDownCounter<long>("bridgekeeper_proxy_tunnels_open", description: "Connections through the forward proxy open now, decrypted or blind");
        meter.CreateObservableGauge("bridgekeeper_audit_queue_depth", auditQueueDepth, description: "Audit records not yet committed");
        _budgetAdmissions = meter.CreateCounter<long>("bridgekeeper_budget_admissions", description: "Budget admissions of requests that a budget applies to: reserved, or refused by a budget of a scope");
        _limitAdmissions = meter.CreateCounter<long>("bridgekeeper_rate_limit_admissions", description: "Admissions of requests that a rate limit applies to: admitted, or refused by a limit's rpm or tpm");
        _limitLeases = meter.CreateCounter<long>("bridgekeeper_rate_limit_leases", description: "Grants this replica took from the shared rate-limit buckets in the database (the requests between them were admitted locally)");
        _modelRefusals = meter.CreateCounter<long>("bridgekeeper_model_refusals", description: "Requests refused because the model is not on the key's or the user's groups' allowlist");
        _budgetReleased = meter.CreateCounter<long>("bridgekeeper_budget_reservations_released", description: "Reservations of replicas that stopped (killed) released by a sweep");
        _genAiTokens = meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Tokens used per operation",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304] });
        _genAiDuration = meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "GenAI operation duration", advice: Seconds);
        _genAiTtft = meter.CreateHistogram<double>("gen_ai.server.time_to_first_token", "s", "Time to the first token of a streamed response", advice: Seconds);
    }

    public void InterceptionStarted(string provider, string dialect) =>
        _inFlight.Add(1, new("provider", provider), new("dialect", dialect));

    /// <param name="model">The model as requested; it is labelled through <see cref="ModelLabels"/>, as in every method here.</param>
    /// <param name="routeProvider">The provider whose route took the request (as <see cref="InterceptionStarted"/> counted it in flight);
    /// <paramref name="provider"/> is the one that served it, another when a model alias sent it there.</param>
    public void InterceptionEnded(string provider, string dialect, string model, string client, string status, TimeSpan duration, string? routeProvider = null)
    {
        model = _models.For(model);
        _inFlight.Add(-1, new("provider", routeProvider ?? provider), new("dialect", dialect));
        _interceptions.Add(1, [new("provider", provider), new("model", model), new("dialect", dialect), new("client", client), new("status", status)]);
        _duration.Record(duration.TotalSeconds, new("provider", provider), new("dialect", dialect), new("status", status));
        _genAiDuration.Record(duration.TotalSeconds, new("gen_ai.operation.name", "chat"), new("gen_ai.provider.name", provider), new("gen_ai.request.model", model));
    }

    public void UpstreamResponded(string provider, string dialect, string model, TimeSpan timeToFirstByte, TimeSpan overhead, bool streaming)
    {
        model = _models.For(model);
        _ttfb.Record(timeToFirstByte.TotalSeconds, new("provider", provider), new("dialect", dialect));
        _overhead.Record(overhead.TotalSeconds, new("provider", provider), new("dialect", dialect));
        if (streaming)
            _genAiTtft.Record(timeToFirstByte.TotalSeconds, new("gen_ai.operation.name", "chat"), new("gen_ai.provider.name", provider), new("gen_ai.request.model", model));
    }

    public void TokensUsed(string provider, string model, long input, long output, long cacheRead, long cacheWrite, long reasoning, decimal? costUsd)
    {
        model = _models.For(model);
        Tokens(provider, model, "input", input);
        Tokens(provider, model, "output", output);
        Tokens(provider, model, "cache_read", cacheRead);
        Tokens(provider, model, "cache_write", cacheWrite);
        Tokens(provider, model, "reasoning", reasoning);
        _genAiTokens.Record(input + cacheRead + cacheWrite, new("gen_ai.operation.name", "chat"), new("gen_ai.provider.name", provider), new("gen_ai.request.model", model), new("gen_ai.token.type", "input"));
        _genAiTokens.Record(output, new("gen_ai.operation.name", "chat"), new("gen_ai.provider.name", provider), new("gen_ai.request.model", model), new("gen_ai.token.type", "output"));
        if (costUsd is { } cost)
            _cost.Add((double)cost, new("provider", provider), new("model", model));
        else
            _unpriced.Add(1, new KeyValuePair<string, object?>("provider", provider));   // by provider only: an unknown model's name is unbounded
    }

    private void Tokens(string provider, string model, string type, long count)
    {
        if (count > 0)
            _tokens.Add(count, new("provider", provider), new("model", model), new("type", type));
    }

    public void InjectedToolCalled(string server, string tool, bool failed) =>
        _injectedCalls.Add(1, new("server", server), new("tool", tool), new("status", failed ? "error" : "ok"));

    public void PassthroughServed(string provider, int status) =>
        _passthrough.Add(1, new("provider", provider), new("status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The <c>model</c> label of <paramref name="model"/> (<see cref="ModelLabels"/>); the circuits are kept per label, so they are bounded too.</summary>
    public string ModelLabel(string model) => _models.For(model);

    /// <summary>Reports the state of a provider's key pool at every collection.</summary>
    public void ObserveKeys(string provider, Func<(int Available, int SetAside)> count) => _keyPools[provider] = count;

    /// <param name="reason"><c>rate_limited</c> (429) or <c>refused</c> (401, 403).</param>
    public void KeySetAside(string provider, string reason) =>
        _keySetAsides.Add(1, new("provider", provider), new("reason", reason));

    /// <summary>A new circuit, closed.</summary>
    /// <param name="modelLabel">A label from <see cref="ModelLabel"/>, or <c>passthrough</c>.</param>
    public void CircuitCreated(string provider, string modelLabel) =>
        _circuitState.Record(0, new("provider", provider), new("model", modelLabel));

    /// <param name="modelLabel">A label from <see cref="ModelLabel"/>, or <c>passthrough</c>.</param>
    /// <param name="state"><c>opened</c>, <c>half_open</c> or <c>closed</c>.</param>
    public void CircuitChanged(string provider, string modelLabel, string state)
    {
        _circuitState.Record(state switch { "opened" => 2, "half_open" => 1, _ => 0 }, new("provider", provider), new("model", modelLabel));
        _circuitChanges.Add(1, new("provider", provider), new("model", modelLabel), new("state", state));
    }

    private IEnumerable<Measurement<int>> ObserveKeyPools()
    {
        foreach (var (provider, count) in _keyPools)
        {
            var (available, setAside) = count();
            yield return new(available, new("provider", provider), new("state", "available"));
            yield return new(setAside, new("provider", provider), new("state", "set_aside"));
        }
    }

    public void AuditBatchWritten(bool ok, TimeSpan took)
    {
        _auditBatches.Add(1, new KeyValuePair<string, object?>("status", ok ? "ok" : "failed"));
        if (ok)
            _auditBatchSeconds.Record(took.TotalSeconds);
    }

    public void AuditQueueFull() => _auditQueueFull.Add(1);

    public void RetentionDeleted(long count) => _retentionDeleted.Add(count);

    public void KeyLookedUp() => _keyLookups.Add(1);

    /// <param name="reason"><c>invalid</c>, <c>throttled</c> or <c>unavailable</c>.</param>
    /// <param name="outcome"><c>reserved</c> or <c>refused</c>.</param>
    /// <param name="scope">For a refusal, the scope of the budget that refused (<c>user</c>, <c>group</c>, <c>key</c>).</param>
    public void BudgetAdmission(string outcome, string? scope = null) =>
        _budgetAdmissions.Add(1, new("outcome", outcome), new("scope", scope ?? ""));

    public void BudgetReservationsReleased(int count) => _budgetReleased.Add(count);

    /// <param name="outcome"><c>admitted</c> or <c>refused</c>.</param>
    /// <param name="metric">For a refusal, the bucket that refused: <c>rpm</c> or <c>tpm</c>.</param>
    public void RateLimitAdmission(string outcome, string? metric = null) =>
        _limitAdmissions.Add(1, new("outcome", outcome), new("metric", metric ?? ""));

    public void RateLimitLease() => _limitLeases.Add(1);

    /// <param name="scope">What refused: a <c>key</c>'s allowlist or the user's <c>group</c>s'.</param>
    public void ModelRefused(string scope) => _modelRefusals.Add(1, new KeyValuePair<string, object?>("scope", scope));

    /// <summary>The remaining USD of each pooled group budget in its current period (one series per group budget: bounded by the operator's budgets).</summary>
    public void ObserveBudgets(Func<IEnumerable<Measurement<double>>> remaining) =>
        _meter.CreateObservableGauge("bridgekeeper_budget_remaining_usd", remaining, description: "USD left in a group budget's current period (limit minus spent and reserved)");

    public void AuthRefused(string reason) => _authRefusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <param name="outcome"><c>decrypted</c>, <c>tunnelled</c>, <c>refused</c> (403), <c>failed_auth</c> (407, 429, 503),
    /// <c>failed</c> (502: the host cannot be reached) or <c>bad_request</c> (400, 431, or a head that never came).</param>
    public void ProxyConnected(string outcome) => _proxyConnects.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <param name="kind"><c>decrypted</c> or <c>blind</c>.</param>
    public void ProxyTunnelOpened(string kind) => _proxyTunnels.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void ProxyTunnelClosed(string kind) => _proxyTunnels.Add(-1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>The audit spool's gauges: its uncommitted bytes and its segment files.</summary>
    public void ObserveSpool(Func<long> bytes, Func<int> segments)
    {
        _meter.CreateObservableGauge("bridgekeeper_audit_spool_bytes", bytes, "By", "Bytes of audit records in the spool not yet committed");
        _meter.CreateObservableGauge("bridgekeeper_audit_spool_segments", segments, description: "Segment files of the audit spool");
    }
}
