namespace Bridgekeeper.Tools;

/// <summary>Injected MCP tools: the approved servers (in configuration order) and the limits of discovery and the tool loop.</summary>
internal sealed record McpOptions
{
    public IReadOnlyList<McpServerOptions> Servers { get; init; } = [];

    /// <summary>How often each connection lists its tools again, besides on <c>notifications/tools/list_changed</c>.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest one injected tool call may run; then the model gets a timeout error.</summary>
    public TimeSpan ToolTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The most UTF-8 bytes of one tool result that go back to the model; a longer result is cut and says so
    /// (Storage's <c>RecordText.Truncate</c>). 1 MiB: some 250,000 tokens, more than most models' whole context
    /// window, and far below the providers' request limits (Anthropic 32 MB per request, OpenAI 10 MiB per string),
    /// so a few results in one round still make a request the provider accepts. The audit record keeps only 64 KiB.
    /// </summary>
    public int MaxResultBytes { get; init; } = 1024 * 1024;

    /// <summary>The most upstream rounds of the hidden tool loop.</summary>
    public int MaxRounds { get; init; } = 10;

    /// <summary>The longest the whole hidden tool loop may run.</summary>
    public TimeSpan LoopTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest a connect and initialize handshake may take before it counts as a failure.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first wait before reconnecting to a failed server; it doubles on each failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a user's token list is trusted before it is read again (token changes made through the API apply at once).</summary>
    public TimeSpan UserTokenCacheDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A per-user connection unused for this long is closed.</summary>
    public TimeSpan IdleConnectionTimeout { get; init; } = TimeSpan.FromMinutes(30);
}
