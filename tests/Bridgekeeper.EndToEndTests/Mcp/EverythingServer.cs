using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Bridgekeeper.EndToEndTests.Clients;
using Bridgekeeper.Tests.Tools;

namespace Bridgekeeper.EndToEndTests.Mcp;

/// <summary>
/// The real <c>@modelcontextprotocol/server-everything</c> (pinned in tests/clients/package.json), run with Node as a
/// child process: <c>PORT=N node dist/index.js streamableHttp</c> (served at <c>/mcp</c>) or <c>… sse</c> (at <c>/sse</c>).
/// It binds every interface, so only its loopback URL is ever used. A missing install fails the test, never skips it.
/// </summary>
internal sealed class EverythingServer : IAsyncDisposable
{
    public const string Version = "2026.8.31";

    private readonly Process _process;
    private readonly StringBuilder _output;

    private EverythingServer(Process process, StringBuilder output, Uri url)
    {
        _process = process;
        _output = output;
        Url = url;
    }

    /// <summary>The endpoint to configure: <c>http://127.0.0.1:N/mcp</c> or <c>http://127.0.0.1:N/sse</c>.</summary>
    public Uri Url { get; }

    /// <summary>What the server printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <param name="mode"><c>streamableHttp</c> or <c>sse</c>.</param>
    public static async Task<EverythingServer> StartAsync(string mode, CancellationToken cancellationToken)
    {
        var script = ClientInstall.EverythingServer;
        var port = TestMcpServer.FreePort();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = ClientInstall.Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(mode);
        // Nothing of the test run's environment reaches the server (its get-env tool would hand it to the model).
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (output)
                output.AppendLine(e.Data);
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        if (!process.Start())
            throw new InvalidOperationException("Could not start node");
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new EverythingServer(process, output, new Uri($"http://127.0.0.1:{port}/{(mode == "sse" ? "sse" : "mcp")}"));

        // Ready when its port accepts connections (bounded; Node starts it in well under a second).
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"server-everything {mode} exited with {process.ExitCode}:\n{server.Output}");
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port, cancellationToken);
                return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (SocketException)
            {
                await server.DisposeAsync();
                throw new TimeoutException($"server-everything {mode} did not listen on {port} within 15 s:\n{server.Output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
    }
}

/// <summary>One server-everything over Streamable HTTP and one over SSE, shared by the tests of a class.</summary>
public sealed class EverythingServers : IAsyncLifetime
{
    internal EverythingServer Streamable { get; private set; } = null!;
    internal EverythingServer Sse { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var started = await Task.WhenAll(EverythingServer.StartAsync("streamableHttp", ct), EverythingServer.StartAsync("sse", ct));
        (Streamable, Sse) = (started[0], started[1]);
    }

    public async ValueTask DisposeAsync()
    {
        if (Streamable is not null)
            await Streamable.DisposeAsync();
        if (Sse is not null)
            await Sse.DisposeAsync();
    }
}
