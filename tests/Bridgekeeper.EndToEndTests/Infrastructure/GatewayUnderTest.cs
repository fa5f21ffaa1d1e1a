using System.Net.Http.Headers;
using System.Text.Json;
using Bridgekeeper.Auth;
using Bridgekeeper.Hosting;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Providers;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.EndToEndTests.Infrastructure;

/// <summary>
/// The real gateway (<see cref="BridgekeeperApp"/>) on Kestrel at 127.0.0.1:0 with a database of its own, pointed at
/// a real mock upstream on its own port. Logs are captured at every level. The database is a temp SQLite file, or a
/// fresh PostgreSQL database when <c>BRIDGEKEEPER_TEST_DATABASE=postgres</c> (<see cref="TestPostgres"/>).
/// </summary>
internal sealed class GatewayUnderTest : IAsyncDisposable
{
    public const string OpenAIUpstreamKey = "sk-upstream-openai-secret";
    public const string AnthropicUpstreamKey = "sk-ant-upstream-secret";

    private readonly string _folder;
    private readonly string? _ownedPostgres;

    private GatewayUnderTest(BridgekeeperApp app, string folder, string? ownedPostgres, LogCapture logs, string adminKey, GatewaySettings settings)
    {
        App = app;
        _folder = folder;
        _ownedPostgres = ownedPostgres;
        Logs = logs;
        AdminKey = adminKey;
        Settings = settings;
    }

    public BridgekeeperApp App { get; }
    public LogCapture Logs { get; }
    public string AdminKey { get; }
    public GatewaySettings Settings { get; }
    public Uri Url => App.Url;

    /// <summary>The metrics listener when <see cref="GatewaySettings.MetricsAddress"/> is set, else null.</summary>
    public Uri? MetricsUrl => App.MetricsUrl;
    /// <summary>The forward proxy's listener when <see cref="GatewaySettings.Proxy"/> is set, else null.</summary>
    public Uri? ProxyUrl => App.ProxyUrl;

    /// <summary>The SQLite file (meaningful only when <see cref="IsPostgres"/> is false).</summary>
    public string DatabasePath => Path.Combine(_folder, "bridgekeeper.db");

    public bool IsPostgres => Database.IsPostgres(Settings.Database);

    /// <param name="configure">Adjusts the settings; a test that sets <see cref="GatewaySettings.Database"/> owns that database.</param>
    /// <param name="configureBuilder">Adds to the web application builder (e.g. an in-memory trace exporter).</param>
    /// <param name="adminKey">For a gateway joining a database that is already bootstrapped (which prints no admin key).</param>
    public static async Task<GatewayUnderTest> StartAsync(MockUpstreamServer? upstream, Func<GatewaySettings, GatewaySettings>? configure = null,
        Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configureBuilder = null, string? adminKey = null)
    {
        var folder = Directory.CreateTempSubdirectory("bk-e2e-").FullName;
        var postgres = TestPostgres.Selected ? await TestPostgres.CreateDatabaseAsync(TestContext.Current.CancellationToken) : null;
        var openAIUrl = upstream?.OpenAIBaseUrl ?? new Uri("http://127.0.0.1:9/v1/");
        var anthropicUrl = upstream?.AnthropicBaseUrl ?? new Uri("http://127.0.0.1:9/");
        var settings = new GatewaySettings
        {
            HttpAddress = "127.0.0.1:0",
            MeterName = "Bridgekeeper.Test." + Guid.NewGuid().ToString("N"),
            Database = postgres ?? Path.Combine(folder, "bridgekeeper.db"),
            SpoolDir = Path.Combine(folder, "spool"),   // PostgreSQL's default, ./data/spool, would be shared by every gateway of the run
            SecretKey = postgres is null ? null : Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            Providers =
            [
                new ProviderSettings("openai", ProviderTypes.OpenAI, OpenAIUpstreamKey, openAIUrl),
                new ProviderSettings("anthropic", ProviderTypes.Anthropic, AnthropicUpstreamKey, anthropicUrl),
                Bedrock(upstream?.BedrockBaseUrl ?? new Uri("http://127.0.0.1:9/bedrock/")),
            ],
        };
        settings = configure?.Invoke(settings) ?? settings;
        if (postgres is not null && settings.Database != postgres)
        {
            await TestPostgres.DropDatabaseAsync(postgres);
            postgres = null;
        }
        var logs = new LogCapture();
        var console = new StringWriter();
        var app = await BridgekeeperApp.StartAsync(settings, console, TestContext.Current.CancellationToken, builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            configureBuilder?.Invoke(builder);
        });
        adminKey ??= console.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("bk_", StringComparison.Ordinal));
        return new GatewayUnderTest(app, folder, postgres, logs, adminKey, settings);
    }

    public const string BedrockModel = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    public const string BedrockSmallFastModel = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

    /// <summary>The <c>bedrock</c> provider on the mock's Bedrock stand-in, signing with the stand-in's AWS keys.</summary>
    public static ProviderSettings Bedrock(Uri baseUrl, string secret = MockBedrockOptions.DefaultSecretAccessKey, string name = "bedrock") =>
        new(name, ProviderTypes.Bedrock, null, baseUrl, Bedrock: new BedrockSettings(MockBedrockOptions.DefaultRegion, MockBedrockOptions.DefaultAccessKeyId,
            secret, null, BedrockModel, BedrockSmallFastModel, new Dictionary<string, string>()));

    /// <summary>Creates a user (if needed) and a fresh key for it, through the store the gateway uses.</summary>
    public async Task<string> CreateKeyAsync(string user, string role = Roles.Member, DateTimeOffset? expiresAt = null)
    {
        var users = App.App.Services.GetRequiredService<UserStore>();
        var ct = TestContext.Current.CancellationToken;
        var row = await users.FindUserAsync(user, ct) ?? await users.CreateUserAsync(user, role, null, ct);
        var key = ApiKey.Generate();
        await users.CreateKeyAsync(row.Id, "test", expiresAt, key.Hash, key.Hint, ct);
        return key.Key;
    }

    /// <summary>Revokes every key of <paramref name="user"/> through the API, as an admin would.</summary>
    public async Task RevokeKeysOfAsync(string user)
    {
        var store = App.App.Services.GetRequiredService<UserStore>();
        var ct = TestContext.Current.CancellationToken;
        var row = await store.FindUserAsync(user, ct);
        using var admin = CreateClient(AdminKey);
        foreach (var key in await store.ListKeysAsync(row!.Id, ct))
        {
            using var response = await admin.DeleteAsync($"/api/v1/keys/{key.Id}", ct);
            Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        }
    }

    public HttpClient CreateClient(string? key, bool asXApiKey = false)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null && asXApiKey)
            client.DefaultRequestHeaders.Add("x-api-key", key);
        else if (key is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Polls the REST API (as admin) until the interception has ended, then returns it.</summary>
    public async Task<JsonElement> WaitForEndedAsync(Func<JsonElement, bool>? match = null, int expected = 1)
    {
        using var client = CreateClient(AdminKey);
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var json = await client.GetStringAsync("/api/v1/interceptions?limit=1000", ct);
            var all = JsonDocument.Parse(json).RootElement.GetProperty("interceptions").EnumerateArray()
                .Where(i => match is null || match(i)).ToList();
            if (all.Count >= expected && all.All(i => i.GetProperty("status").GetString() != InterceptionStatus.InProgress))
                return all[0].Clone();
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"No ended interception after 30 s; last: {json}");
            await Task.Delay(25, ct);
        }
    }

    public async Task<IReadOnlyList<JsonElement>> ListInterceptionsAsync()
    {
        using var client = CreateClient(AdminKey);
        var json = await client.GetStringAsync("/api/v1/interceptions?limit=1000", TestContext.Current.CancellationToken);
        return [.. JsonDocument.Parse(json).RootElement.GetProperty("interceptions").EnumerateArray().Select(e => e.Clone())];
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (_ownedPostgres is not null)
            await TestPostgres.DropDatabaseAsync(_ownedPostgres);
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
