using System.Diagnostics;

namespace Bridgekeeper.EndToEndTests.Infrastructure;

/// <summary>The real <c>bridgekeeper</c> executable as a child process, with none of the test run's own <c>BRIDGEKEEPER_*</c> variables.</summary>
internal static class GatewayProcess
{
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "bridgekeeper.dll");

    /// <summary>Starts it; the caller reads or waits. <paramref name="environment"/> adds variables (or removes them, with null).</summary>
    public static Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? stdin = null)
    {
        var start = new ProcessStartInfo("dotnet", [Executable, .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("BRIDGEKEEPER_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            start.Environment[name] = value;
        var process = Process.Start(start)!;
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        return process;
    }

    /// <summary>Runs it to its exit (at most <paramref name="timeout"/>, default 60 s) and returns the exit code and both outputs.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var ct = TestContext.Current.CancellationToken;
        using var process = Start(args, environment, stdin);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(timeout ?? TimeSpan.FromSeconds(60), ct);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bridgekeeper {string.Join(' ', args)} did not exit; output so far: {await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
