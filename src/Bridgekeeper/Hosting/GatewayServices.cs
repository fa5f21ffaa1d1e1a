using Bridgekeeper.Auth;
using Bridgekeeper.Interception;
using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams;
using Bridgekeeper.Recording;
using Bridgekeeper.Settings;
using Bridgekeeper.Spend;
using Bridgekeeper.Storage;
using Bridgekeeper.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Hosting;

/// <summary>The composition root: every service the gateway runs on, built from validated settings.</summary>
internal static class GatewayServices
{
    public static IServiceCollection AddBridgekeeper(this IServiceCollection services, GatewaySettings settings, Database database, SecretKeyring keys)
    {
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddSingleton<Migrator>();
        services.AddSingleton<Readiness>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<AuditStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton(new AuthFailureLimit(settings.AuthFailureLimit, AuthFailureLimit.DefaultWindow));
        services.AddSingleton<KeyAuthenticator>();
        Api.ApiDocument.AddApiDocument(services);

        if (settings.SpoolBytes > 0)
            services.AddSingleton(sp => AuditSpool.Open(SpoolFolder(settings, database), settings.SpoolBytes, settings.SpoolFsync, sp.GetRequiredService<ILogger<AuditSpool>>()));
        services.AddSingleton(sp => new AuditQueue(settings.AuditQueueCapacity, settings.AuditQueueBytes, settings.StructuredLogging, sp.GetRequiredService<ILogger<AuditQueue>>(),
            sp.GetService<AuditSpool>()));
        services.AddSingleton<IAuditSink>(sp => sp.GetRequiredService<AuditQueue>());
        services.AddSingleton<AuditWriter>();
        services.AddSingleton<RetentionStore>();
        services.AddSingleton(new RetentionOptions(settings.Retention, TimeSpan.FromHours(1), BatchSize: 1000, PauseBetweenBatches: TimeSpan.FromMilliseconds(50)));
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());

        services.AddSingleton(new InterceptionOptions(settings.KeepAliveInterval, settings.UpstreamIdleTimeout));
        services.AddSingleton(_ => UpstreamHttp.CreateInvoker());
        services.AddSingleton<IReadOnlyList<Provider>>(sp => ProviderCatalog.Build(settings.Providers, sp.GetRequiredService<HttpMessageInvoker>(),
            sp.GetRequiredService<Yarp.ReverseProxy.Forwarder.IHttpForwarder>(), new UpstreamServices(sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<Metrics.BridgekeeperMetrics>(), sp.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton(new McpOptions
        {
            Servers = settings.McpServers,
            MaxRounds = settings.McpMaxRounds,
            ToolTimeout = settings.McpToolTimeout,
            LoopTimeout = settings.McpLoopTimeout,
        });
        services.AddSingleton(keys);
        services.AddSingleton(sp => new McpTokenStore(database, sp.GetRequiredService<TimeProvider>(), keys, sp.GetRequiredService<ILogger<McpTokenStore>>()));
        services.AddSingleton<IMcpTokenSource>(sp => new StoredMcpTokens(sp.GetRequiredService<McpTokenStore>()));
        services.AddSingleton<McpToolRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<McpToolRegistry>());
        services.AddSingleton(new CostCalculator(settings.Prices));
        services.AddSingleton<GroupStore>();
        services.AddSingleton<BudgetStore>();
        services.AddSingleton<BudgetLedger>();
        services.AddSingleton<SpendBook>();
        services.AddSingleton(new SpendOptions(settings.BudgetDefaultMaxTokens, settings.BudgetWebhookUrl, settings.BudgetWebhookSecret) { Aliases = settings.ModelAliases });
        services.AddSingleton<BudgetNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<BudgetNotifier>());
        services.AddSingleton<BudgetGate>();
        services.AddSingleton<RateLimitStore>();
        services.AddSingleton<RateBuckets>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<ModelAccess>();
        services.AddSingleton<SpendGate>();
        services.AddSingleton(sp => new ModelAliases(settings.ModelAliases, sp.GetRequiredService<IReadOnlyList<Provider>>()));
        services.AddSingleton<SpendService>();
        services.AddHostedService(sp => sp.GetRequiredService<SpendService>());
        services.AddSingleton<InjectedTools>();
        services.AddSingleton<ToolLoop>();
        services.AddSingleton(new KeyConcurrency(settings.MaxConcurrentPerKey));
        services.AddSingleton(new RequestBody(settings.MaxRequestBodyBytes, settings.RequestBufferBytes));
        services.AddSingleton<ResponseOwners>();
        services.AddSingleton<InterceptionEndpoint>();
        services.AddSingleton<Passthrough>();
        services.AddHttpForwarder();
        services.AddGatewayTelemetry(settings.MeterName);
        return services;
    }

    /// <summary>
    /// The keys of per-user MCP tokens (<see cref="SecretKeyring.Load"/>). A missing key is an error only when a
    /// configured MCP server needs per-user tokens; otherwise storing a token is refused by the API when it is tried.
    /// </summary>
    /// <exception cref="SettingsException">A key is malformed, the key file cannot be trusted, or a server needs a key there is not.</exception>
    /// <summary>The audit spool's folder: <c>spool_dir</c>, else <c>spool</c> beside a SQLite database, else <c>data/spool</c>.</summary>
    public static string SpoolFolder(GatewaySettings settings, Database database) => Path.GetFullPath(settings.SpoolDir
        ?? Path.Combine(database.Dialect == SqlDialect.Sqlite ? Path.GetDirectoryName(Path.GetFullPath(database.Description)) ?? "." : ProxySetup.PostgresCaFolder, "spool"));

    /// <summary>
    /// Opens the audit spool (when it is on) and replays what an earlier run left in it, before anything is served.
    /// </summary>
    /// <exception cref="SettingsException">The spool folder cannot be used, or the database refused the replay.</exception>
    public static async Task ReplaySpoolAsync(IServiceProvider services, GatewaySettings settings, CancellationToken cancellationToken)
    {
        if (settings.SpoolBytes == 0)
            return;
        AuditSpool spool;
        try
        {
            spool = services.GetRequiredService<AuditSpool>();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException("spool_dir", $"cannot use the audit spool folder ({e.Message}); is another gateway using it?");
        }
        services.GetRequiredService<Metrics.BridgekeeperMetrics>().ObserveSpool(() => spool.Bytes, () => spool.SegmentCount);
        try
        {
            await AuditSpoolReplay.ReplayAsync(spool, services.GetRequiredService<AuditStore>(),
                services.GetRequiredService<ILoggerFactory>().CreateLogger<AuditSpool>(), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException and not SettingsException)
        {
            throw new SettingsException("database", $"cannot replay the audit spool into the database: {e.Message}");
        }
    }

    public static SecretKeyring LoadSecretKeys(GatewaySettings settings, Database database)
    {
        var keys = SecretKeyring.Load(settings.SecretKey, settings.SecretKeyPrevious, database);
        if (keys.Current is null && settings.McpServers.FirstOrDefault(s => s.RequiresUserToken) is { } server)
            throw new SettingsException(SecretKeyring.KeySetting,
                $"must be set, because MCP server '{server.Name}' requires per-user tokens, which are stored encrypted with it; make one with 'openssl rand -base64 32' and give every replica the same.");
        return keys;
    }
}
