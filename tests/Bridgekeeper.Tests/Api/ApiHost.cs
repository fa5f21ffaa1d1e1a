using System.Net.Http.Headers;
using Bridgekeeper.Api;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Auth;
using Bridgekeeper.Tests.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Tests.Api;

/// <summary>The REST API on real Kestrel (127.0.0.1, a free port) over a temp SQLite database.</summary>
internal sealed class ApiHost : IAsyncDisposable
{
    private readonly TempDatabase _temp;
    private readonly WebApplication _app;
    private readonly List<HttpClient> _clients = [];

    private ApiHost(TempDatabase temp, WebApplication app, Uri address)
    {
        _temp = temp;
        _app = app;
        Address = address;
        Users = app.Services.GetRequiredService<UserStore>();
        Audit = app.Services.GetRequiredService<AuditStore>();
    }

    public Uri Address { get; }
    public UserStore Users { get; }
    public AuditStore Audit { get; }

    public static async Task<ApiHost> StartAsync(CancellationToken cancellationToken)
    {
        var temp = await TempDatabase.CreateAsync(cancellationToken);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(temp.Database);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<AuditStore>();
        builder.Services.AddSingleton<GroupStore>();
        builder.Services.AddSingleton<BudgetStore>();
        builder.Services.AddSingleton<RateLimitStore>();
        builder.Services.AddSingleton(new Bridgekeeper.Spend.SpendOptions());
        builder.Services.AddTestKeyAuthenticator();
        var app = builder.Build();
        app.MapApi();
        await app.StartAsync(cancellationToken);
        return new ApiHost(temp, app, new Uri(app.Urls.First()));
    }

    /// <summary>A user with one fresh key; returns the user's id and the key.</summary>
    public async Task<(Guid Id, string Key)> CreateUserWithKeyAsync(string name, string role, CancellationToken cancellationToken)
    {
        var user = await Users.CreateUserAsync(name, role, null, cancellationToken);
        var key = ApiKey.Generate();
        await Users.CreateKeyAsync(user.Id, "test", null, key.Hash, key.Hint, cancellationToken);
        return (user.Id, key.Key);
    }

    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (key is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _temp.DisposeAsync();
    }
}
