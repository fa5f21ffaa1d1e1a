using Bridgekeeper.Providers;

namespace Bridgekeeper.Hosting;

/// <summary>Everything the server needs, already validated. Built by <see cref="SettingsLoader"/>.</summary>
internal sealed record GatewaySettings
{
    public string HttpAddress { get; init; } = "127.0.0.1:8080";

    /// <summary>Where <c>/metrics</c> is served instead of on <see cref="HttpAddress"/>; null keeps it there.</summary>
    public string? MetricsAddress { get; init; }
    public string Database { get; init; } = "data/bridgekeeper.db";
    public IReadOnlyList<ProviderSettings> Providers { get; init; } = [];
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(60);
    public bool StructuredLogging { get; init; }
    public string LogFormat { get; init; } = "human";
    public long MaxRequestBodyBytes { get; init; } = 32 * 1024 * 1024;
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(12);
    public TimeSpan UpstreamIdleTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public int AuditQueueCapacity { get; init; } = 10_000;
    public long AuditQueueBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Uncommitted bytes the audit spool may hold before new interceptions get 503; 0 turns the spool off.</summary>
    public long SpoolBytes { get; init; } = 1L << 30;
    public bool SpoolFsync { get; init; }

    /// <summary>The spool's folder; null: <c>spool</c> beside a SQLite database, <c>data/spool</c> with PostgreSQL.</summary>
    public string? SpoolDir { get; init; }
    public int MaxConcurrentPerKey { get; init; } = 32;

    /// <summary>The output allowance a budget estimate prices for a request that sets no <c>max_tokens</c>.</summary>
    public long BudgetDefaultMaxTokens { get; init; } = 4096;

    /// <summary>Where budget threshold notifications are posted; null: they are logged only.</summary>
    public Uri? BudgetWebhookUrl { get; init; }

    /// <summary>The HMAC-SHA256 key the webhook's body is signed with. Never logged.</summary>
    public string? BudgetWebhookSecret { get; init; }
    public long RequestBufferBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Failed key checks per minute from one source before keys not in the cache get 429; 0 is off.</summary>
    public int AuthFailureLimit { get; init; } = 60;
    public bool Demo { get; init; }

    /// <summary>The forward proxy (SPEC §8); null when <c>proxy_address</c> is unset.</summary>
    public Proxy.ProxyOptions? Proxy { get; init; }

    /// <summary>
    /// The meter the metrics are published under. Not a user setting: exporters subscribe to meters by name process-wide,
    /// so tests that run several gateways in one process give each its own.
    /// </summary>
    public string MeterName { get; init; } = Metrics.BridgekeeperMetrics.MeterName;

    /// <summary>Approved MCP servers whose tools are injected, in configuration order.</summary>
    public IReadOnlyList<Tools.McpServerOptions> McpServers { get; init; } = [];
    public int McpMaxRounds { get; init; } = 10;
    public TimeSpan McpToolTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan McpLoopTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The operator's model prices (settings <c>prices</c> and <c>prices_file</c>), which win over the shipped table.
    /// </summary>
    public IReadOnlyDictionary<string, Pricing.ModelPrice> Prices { get; init; } = new Dictionary<string, Pricing.ModelPrice>();

    /// <summary>Model aliases (<c>model_aliases</c>): names clients send, mapped to a provider instance and a model.</summary>
    public IReadOnlyList<Spend.ModelAlias> ModelAliases { get; init; } = [];

    /// <summary>The groups, budgets and limits the YAML declares, applied at start (<see cref="SpendSettings.ApplyAsync"/>).</summary>
    public SpendDeclarations SpendDeclarations { get; init; } = SpendDeclarations.None;

    /// <summary>Base64 of 32 bytes encrypting per-user MCP tokens at rest; null uses a key file beside a SQLite database.</summary>
    public string? SecretKey { get; init; }

    /// <summary>Comma-separated base64 keys that only decrypt per-user MCP tokens (rotation); null or blank: none.</summary>
    public string? SecretKeyPrevious { get; init; }
}
