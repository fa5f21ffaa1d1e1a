using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Bridgekeeper.EndToEndTests.Infrastructure;

/// <summary>
/// The real <c>bridgekeeper</c> executable in a process of its own (so its memory is its own): output collected, a
/// line awaited by pattern, stopped with SIGTERM on dispose.
/// </summary>
internal sealed partial class ExecutableProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Seen)> _waits = [];

    private ExecutableProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ExecutableProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "bridgekeeper.dll"), .. arguments])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("BRIDGEKEEPER_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var result = new ExecutableProcess(Process.Start(start)!);
        result._process.OutputDataReceived += (_, e) => result.Add(e.Data);
        result._process.ErrorDataReceived += (_, e) => result.Add(e.Data);
        result._process.BeginOutputReadLine();
        result._process.BeginErrorReadLine();
        return result;
    }

    /// <summary>
    /// <c>server --demo</c> on a fresh SQLite database in a temp folder (the README's first command): the process, where
    /// it listens, and the key it printed for its <c>demo</c> user.
    /// </summary>
    public static async Task<(ExecutableProcess Server, Uri Url, string Key)> StartDemoAsync()
    {
        var folder = Directory.CreateTempSubdirectory("bk-demo-").FullName;
        var server = Start(["server", "--demo", "--http-address", "127.0.0.1:0", "--database", Path.Combine(folder, "bk.db")]);
        return (server, await server.ListeningUrlAsync(), await server.DemoKeyAsync());
    }

    /// <summary>The first line (past or future) matching <paramref name="pattern"/>.</summary>
    public Task<Match> WaitForLineAsync(Regex pattern)
    {
        var seen = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            foreach (var line in _lines)
                if (pattern.Match(line) is { Success: true } match)
                    return Task.FromResult(match);
            _waits.Add((pattern, seen));
        }
        return seen.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    /// <summary>The address the gateway printed it listens on.</summary>
    public async Task<Uri> ListeningUrlAsync() => new((await WaitForLineAsync(Listening())).Groups[1].Value);

    /// <summary>The key <c>server --demo</c> printed for its <c>demo</c> user.</summary>
    public async Task<string> DemoKeyAsync() => (await WaitForLineAsync(DemoKey())).Groups[1].Value;

    /// <summary>SIGKILL: the process gets no chance to flush, drain or clean up.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    public string Output
    {
        get { lock (_lines) return string.Join('\n', _lines); }
    }

    /// <summary>A field of <c>/proc/PID/status</c> in bytes, e.g. <c>VmHWM</c> (peak resident memory) or <c>VmRSS</c>.</summary>
    public long StatusBytes(string field)
    {
        var line = File.ReadAllLines($"/proc/{_process.Id}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private void Add(string? line)
    {
        if (line is null)
            return;
        lock (_lines)
        {
            _lines.Add(line);
            foreach (var wait in _waits.Where(w => w.Pattern.IsMatch(line)).ToList())
            {
                wait.Seen.TrySetResult(wait.Pattern.Match(line));
                _waits.Remove(wait);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"Bridgekeeper listening on (http://\S+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"BRIDGEKEEPER_KEY=(bk_[A-Za-z0-9_-]+)")]
    private static partial Regex DemoKey();
}
