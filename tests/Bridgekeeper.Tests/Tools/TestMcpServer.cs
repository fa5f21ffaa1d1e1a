using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using SdkServerOptions = ModelContextProtocol.Server.McpServerOptions;

namespace Bridgekeeper.Tests.Tools;

/// <summary>
/// A real MCP server (ModelContextProtocol.AspNetCore) on Kestrel at 127.0.0.1, serving Streamable HTTP at <c>/mcp</c> and
/// legacy SSE at <c>/mcp/sse</c>. Tools: <c>echo</c>, <c>add</c>, <c>fail</c> (an isError result), <c>hang</c> (never
/// returns), plus any extra names given or extra tools passed whole. It records the Authorization header and the query
/// string of every request.
/// </summary>
internal sealed class TestMcpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestMcpServer(WebApplication app, Uri address, ConcurrentQueue<string?> authorizations, ConcurrentQueue<string> queries)
    {
        _app = app;
        Address = address;
        Authorizations = authorizations;
        Queries = queries;
    }

    public Uri Address { get; }
    public Uri StreamableUrl => new(Address, "/mcp");
    public Uri SseUrl => new(Address, "/mcp/sse");

    /// <summary>The Authorization header of each request received, in order (null when absent).</summary>
    public ConcurrentQueue<string?> Authorizations { get; }

    /// <summary>The query string of each request received (<c>?a=b</c>, or empty), in order.</summary>
    public ConcurrentQueue<string> Queries { get; }

    public static Task<TestMcpServer> StartAsync(CancellationToken cancellationToken, int port = 0, params string[] extraTools) =>
        StartAsync(cancellationToken, [.. extraTools.Select(name => McpServerTool.Create(() => $"{name} ran", new() { Name = name }))], port);

    public static async Task<TestMcpServer> StartAsync(CancellationToken cancellationToken, IReadOnlyList<McpServerTool> extraTools, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddMcpServer()
            .WithHttpTransport(o =>
            {
                o.Stateless = false;
#pragma warning disable MCP9004 // The legacy SSE transport is what this test server exists to serve.
                o.EnableLegacySse = true;
#pragma warning restore MCP9004
            })
            .WithTools([.. Tools(), .. extraTools]);
        var app = builder.Build();
        var authorizations = new ConcurrentQueue<string?>();
        var queries = new ConcurrentQueue<string>();
        app.Use(async (context, next) =>
        {
            authorizations.Enqueue(context.Request.Headers.Authorization.FirstOrDefault());
            queries.Enqueue(context.Request.QueryString.Value ?? "");
            await next();
        });
        app.MapMcp("/mcp");
        await app.StartAsync(cancellationToken);
        return new TestMcpServer(app, new Uri(app.Urls.First()), authorizations, queries);
    }

    /// <summary>A loopback port that nothing listens on (for a server that is down, then started there).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Adds a tool at runtime; connected sessions get <c>notifications/tools/list_changed</c>.</summary>
    public void AddTool(string name)
    {
        var options = _app.Services.GetRequiredService<IOptions<SdkServerOptions>>().Value;
        options.ToolCollection!.Add(McpServerTool.Create(() => $"{name} ran", new() { Name = name }));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static IEnumerable<McpServerTool> Tools() =>
    [
        McpServerTool.Create((string message) => $"Echo: {message}", new() { Name = "echo", Description = "Echoes the message" }),
        McpServerTool.Create((int a, int b) => a + b, new() { Name = "add", Description = "Adds two numbers" }),
        McpServerTool.Create(() => new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = "boom" }] }, new() { Name = "fail" }),
        McpServerTool.Create(async (CancellationToken cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return "never";
        }, new() { Name = "hang" }),
    ];
}
