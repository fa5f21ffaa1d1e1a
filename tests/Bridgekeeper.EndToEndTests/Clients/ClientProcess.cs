using System.Diagnostics;

namespace Bridgekeeper.EndToEndTests.Clients;

/// <summary>What a client process did: its exit code (-1 when it was killed on timeout) and everything it printed.</summary>
internal sealed record ClientRun(string Command, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, bool TimedOut)
{
    public override string ToString() =>
        $"$ {Command}\nexit {(TimedOut ? "killed after timeout" : ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture))} "
        + $"after {Elapsed.TotalSeconds:0.0} s\n--- stdout ---\n{Tail(Stdout)}\n--- stderr ---\n{Tail(Stderr)}";

    private static string Tail(string text) => text.Length <= 16_000 ? text : "…" + text[^16_000..];
}

/// <summary>
/// Runs a real client as a child process: a clean environment (only what the test passes, plus PATH), stdin closed,
/// stdout and stderr captured, and the whole process tree killed when the timeout passes.
/// </summary>
internal static class ClientProcess
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    public static async Task<ClientRun> RunAsync(string fileName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // Nothing of the developer's or CI's environment (provider keys, proxies, client settings) reaches the client.
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        start.Environment["LANG"] = "C.UTF-8";
        foreach (var (name, value) in environment)
            start.Environment[name] = value;

        var command = string.Join(' ', new[] { Path.GetFileName(fileName) }.Concat(arguments.Select(Quote)));
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        // Grandchildren (a shell the agent ran) may hold the pipes open a little longer; don't wait on them forever.
        var output = await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        return new ClientRun(command, timedOut ? -1 : process.ExitCode, output[0], output[1], clock.Elapsed, timedOut);
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,".Contains(c)) ? argument : $"'{argument.Replace("'", "'\\''")}'";
}
