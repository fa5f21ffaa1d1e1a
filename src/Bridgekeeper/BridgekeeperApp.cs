using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Bridgekeeper.Auth;
using Bridgekeeper.Hosting;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Providers;
using Bridgekeeper.Settings;
using Bridgekeeper.Storage;

namespace Bridgekeeper;

/// <summary>
/// The gateway process: migrates the database, builds the web app on Kestrel, and (with <c>--demo</c>) starts the mock
/// upstream in-process. The server command and the end-to-end tests both start exactly this.
/// </summary>
internal sealed class BridgekeeperApp : IAsyncDisposable
{
    private const string DemoUpstreamKey = "demo-upstream-key";
    private readonly MockUpstreamServer? _demo;

    private BridgekeeperApp(WebApplication app, Database database, GatewayListeners listeners, MockUpstreamServer? demo)
    {
        App = app;
        Database = database;
        Url = listeners.MainUrl;
        MetricsUrl = listeners.MetricsUrl;
        ProxyUrl = listeners.ProxyUrl;
        _demo = demo;
    }

    public WebApplication App { get; }
    public Database Database { get; }

    /// <summary>The address the gateway actually listens on (port 0 resolved).</summary>
    public Uri Url { get; }

    /// <summary>Where <c>/metrics</c> is served when <c>metrics_address</c> is set (port 0 resolved); null when it is on <see cref="Url"/>.</summary>
    public Uri? MetricsUrl { get; }

    /// <summary>Where the forward proxy listens when <c>proxy_address</c> is set (port 0 resolved); null without a proxy.</summary>
    public Uri? ProxyUrl { get; }

    /// <param name="configure">Lets tests add to the builder (e.g. a log capture) before the app is built.</param>
    public static async Task<BridgekeeperApp> StartAsync(GatewaySettings settings, TextWriter console, CancellationToken cancellationToken,
        Action<WebApplicationBuilder>? configure = null)
    {
        var database = Database.Open(settings.Database);
        MockUpstreamServer? demo = null;
        WebApplication? app = null;
        try
        {
            var keys = GatewayServices.LoadSecretKeys(settings, database);
            var proxy = ProxySetup.Load(settings, database);
            await database.MigrateAsync(cancellationToken);
            await SpendSettings.ApplyAsync(settings.SpendDeclarations, Api.SpendAccounts.Stores(database), cancellationToken);
            if (settings.Demo)
            {
                demo = await MockUpstreamServer.StartAsync(new MockUpstreamOptions { ExpectedKey = DemoUpstreamKey, CaptureExchanges = false, ChunkDelay = TimeSpan.FromMilliseconds(30) }, cancellationToken);
                settings = settings with { Providers = [.. settings.Providers.Select(p => p.Type switch
                {
                    ProviderTypes.OpenAI when p.Name == "openai" => p with { Key = DemoUpstreamKey, Keys = [DemoUpstreamKey], BaseUrl = demo.OpenAIBaseUrl },
                    ProviderTypes.Anthropic when p.Name == "anthropic" => p with { Key = DemoUpstreamKey, Keys = [DemoUpstreamKey], BaseUrl = demo.AnthropicBaseUrl },
                    _ => p,
                })] };
                if (settings.Providers.All(p => p.Name != "bedrock"))
                    settings = settings with { Providers = [.. settings.Providers, DemoBedrock(demo)] };
            }

            // Settings come from SettingsLoader, not appsettings.json; watching the working folder for it woke a thread on
            // every write to a database kept there (measured: 2 % of the gateway's CPU under load).
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
            var listeners = new GatewayListeners();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = null;
                listeners.Configure(kestrel, settings, proxy);
            });
            builder.Services.AddSingleton(listeners);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
            GatewayLogging.Configure(builder.Logging, settings);
            // A start that fails (the port is taken) is reported by the caller as one line; the host's own multi-line
            // report of it would only repeat that with a stack trace. Once started, the host's errors are logged as usual.
            var starting = new StrongBox<bool>(true);
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Information && !(starting.Value && level == LogLevel.Error));
            builder.Services.AddBridgekeeper(settings, database, keys);
            proxy?.Register(builder.Services);
            configure?.Invoke(builder);

            app = builder.Build();
            app.MapBridgekeeper();
            await GatewayServices.ReplaySpoolAsync(app.Services, settings, cancellationToken);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                // Kestrel could not bind: the port is taken, or the address is not this machine's. Its message names the
                // address; the proxy's is https:// (TLS in front of the decrypted hosts) whatever the listener's own TLS.
                var setting = settings.Proxy is { } proxyOptions && e.Message.Contains("https://", StringComparison.Ordinal) ? ("proxy_address", proxyOptions.Address)
                    : ("http_address", settings.HttpAddress);
                throw new SettingsException(setting.Item1, e is SocketException ? $"cannot listen on {setting.Item2}: {e.Message}" : e.Message);
            }
            starting.Value = false;
            if (proxy is not null)
                proxy.LogStart(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Bridgekeeper.Proxy"), listeners.ProxyUrl!);
            var result = new BridgekeeperApp(app, database, listeners, demo);
            await result.BootstrapAsync(settings, console, cancellationToken);
            return result;
        }
        catch
        {
            if (app is not null)
            {
                await app.StopAsync(CancellationToken.None);     // the hosted services that did start end cleanly
                await app.DisposeAsync();
            }
            if (demo is not null)
                await demo.DisposeAsync();
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs until the process is asked to stop, then drains the audit queue.</summary>
    public static async Task<int> RunAsync(GatewaySettings settings, TextWriter console, CancellationToken cancellationToken)
    {
        await using var gateway = await StartAsync(settings, console, cancellationToken);
        await gateway.App.WaitForShutdownAsync(cancellationToken);
        return 0;
    }

    /// <summary>First start: an <c>admin</c> user and a one-time key. Demo: a ready key and examples.</summary>
    private async Task BootstrapAsync(GatewaySettings settings, TextWriter console, CancellationToken cancellationToken)
    {
        var users = App.Services.GetRequiredService<UserStore>();
        console.WriteLine($"Bridgekeeper listening on {Url} (database: {Database.Description})");
        if (MetricsUrl is not null)
            console.WriteLine($"Metrics on {MetricsUrl}metrics only");
        if (ProxyUrl is not null)
            console.WriteLine($"Forward proxy on {ProxyUrl} (HTTPS_PROXY={ProxyUrl.Scheme}://me:KEY@{ProxyUrl.Authority}; its CA at {Url}api/v1/proxy/ca.pem)");
        if (await users.CountUsersAsync(cancellationToken) == 0)
        {
            var admin = await users.CreateUserAsync("admin", Roles.Admin, null, cancellationToken);
            var key = ApiKey.Generate();
            await users.CreateKeyAsync(admin.Id, "bootstrap", null, key.Hash, key.Hint, cancellationToken);
            console.WriteLine($"Created user 'admin'. Its key is shown once; store it now:\n  {key.Key}");
        }
        if (settings.Demo)
            await DemoBanner.PrintAsync(users, Url, console, cancellationToken);
    }

    /// <summary>The demo's <c>bedrock</c> provider: the mock's Bedrock stand-in, signed for with the stand-in's own (not real) AWS keys.</summary>
    private static ProviderSettings DemoBedrock(MockUpstreamServer demo) =>
        new("bedrock", ProviderTypes.Bedrock, null, demo.BedrockBaseUrl, Bedrock: new BedrockSettings(MockBedrockOptions.DefaultRegion,
            MockBedrockOptions.DefaultAccessKeyId, MockBedrockOptions.DefaultSecretAccessKey, null,
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0", new Dictionary<string, string>()));

    public async Task StopAsync()
    {
        await App.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        if (_demo is not null)
            await _demo.DisposeAsync();
        await Database.DisposeAsync();
    }
}
