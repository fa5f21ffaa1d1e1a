using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// A stand-in for the OpenAI Chat Completions and Responses APIs, the Anthropic Messages API, the GitHub Copilot API
/// (<see cref="MockCopilot"/>) and Bedrock Runtime's Claude routes (SigV4 checked, event-stream frames;
/// <see cref="BedrockEndpoints"/>) on real Kestrel: correct
/// on the wire, steered per request by <c>x-mock-*</c> headers (<see cref="MockControls"/>) or, for agent CLIs, by
/// <c>mock:</c> directives in the prompt (<see cref="MockDirectives"/>), and cheap enough for load tests.
/// </summary>
internal sealed class MockUpstreamServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly MockUpstreamOptions _options;
    private readonly List<MockExchange> _exchanges = [];
    private readonly Lock _lock = new();

    private MockUpstreamServer(WebApplication app, MockUpstreamOptions options)
    {
        _app = app;
        _options = options;
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:45678/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    public Uri OpenAIBaseUrl => new(Url, "openai/v1/");
    public Uri AnthropicBaseUrl => new(Url, "anthropic/");

    /// <summary>The GitHub Copilot API (<see cref="MockCopilot"/>): <c>chat/completions</c>, <c>responses</c>, <c>v1/messages</c>, <c>models</c>.</summary>
    public Uri CopilotBaseUrl => new(Url, "copilot/");

    /// <summary>The Bedrock Runtime stand-in under its prefix: <c>{BedrockBaseUrl}model/{modelId}/invoke</c>.</summary>
    public Uri BedrockBaseUrl => new(Url, "bedrock/");

    /// <summary>A snapshot of the captured exchanges, in arrival order (empty when capturing is off).</summary>
    public IReadOnlyList<MockExchange> Exchanges
    {
        get { lock (_lock) return [.. _exchanges]; }
    }

    public void ClearExchanges()
    {
        lock (_lock) _exchanges.Clear();
    }

    public static async Task<MockUpstreamServer> StartAsync(MockUpstreamOptions options, CancellationToken cancellationToken)
    {
        var (address, port) = ParseAddress(options.HttpAddress);
        // The empty builder reads no appsettings or environment, so nothing of the host app leaks into the mock.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<IHostLifetime, MockHostLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);

        var app = builder.Build();
        var server = new MockUpstreamServer(app, options);
        app.Use(server.HandleAsync);
        new MockEndpoints(options, TimeProvider.System).Map(app);
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Url = new Uri(bound.TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    /// <summary>Captures the exchange around whatever answers the request, and records how it ended.</summary>
    private async Task HandleAsync(HttpContext http, RequestDelegate next)
    {
        MockExchange? exchange = null;
        try
        {
            var body = await ReadBodyAsync(http.Request, http.RequestAborted);
            if (_options.CaptureExchanges)
            {
                exchange = Capture(http.Request, body);
                lock (_lock) _exchanges.Add(exchange);
            }
            var call = new MockCall(http, body, exchange, _options, _app.Lifetime.ApplicationStopping);
            http.Features.Set(call);
            http.Response.OnStarting(() => MockEndpoints.AddAccountHeaders(http));
            if (http.GetEndpoint() is null)
                await MockEndpoints.NotFoundAsync(call);
            else
                await next(http);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; recorded below.
        }
        finally
        {
            exchange?.Complete(http.Response.StatusCode, http.RequestAborted.IsCancellationRequested);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0)
            return [];
        using var buffer = request.ContentLength is { } length and <= int.MaxValue ? new MemoryStream((int)length) : new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static MockExchange Capture(HttpRequest request, byte[] body)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
            headers[name.ToLowerInvariant()] = string.Join(", ", values.ToArray());
        return new MockExchange
        {
            Method = request.Method,
            Path = request.Path.Value ?? "/",
            RawPath = BedrockEndpoints.RawTarget(request.HttpContext).Split('?', 2)[0],
            QueryString = request.QueryString.Value ?? "",
            Headers = headers,
            RequestBody = body,
        };
    }

    /// <summary><c>host:port</c> (an <c>http://</c> prefix is tolerated); <c>localhost</c> means loopback, <c>*</c> or <c>0.0.0.0</c> all interfaces.</summary>
    internal static (IPAddress Address, int Port) ParseAddress(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            trimmed = trimmed["http://".Length..];
        trimmed = trimmed.TrimEnd('/');
        var colon = trimmed.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(trimmed[(colon + 1)..], out var port) || port is < 0 or > 65535)
            throw new ArgumentException($"Mock upstream address '{text}' is not host:port", nameof(text));
        var host = trimmed[..colon].Trim('[', ']');
        IPAddress? address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "" or "*" or "+" => IPAddress.Any,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        return address is null
            ? throw new ArgumentException($"Mock upstream host '{host}' is not an IP address or localhost", nameof(text))
            : (address, port);
    }
}
