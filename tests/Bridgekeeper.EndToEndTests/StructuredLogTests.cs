using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests;

/// <summary>The real executable with <c>--log-format json --structured-logging true</c>: one JSON object per log line, one per record.</summary>
public sealed partial class StructuredLogTests
{
    [Fact]
    public async Task Server_JsonStructuredLogging_WritesOneJsonObjectPerRecordAndNoKeys()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("bk-log-").FullName;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "bridgekeeper.dll"), "server", "--demo",
            "--http-address", "127.0.0.1:0", "--database", Path.Combine(folder, "bk.db"), "--log-format", "json", "--structured-logging", "true"])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment.Remove("BRIDGEKEEPER_DATABASE");
        using var server = Process.Start(start)!;
        var lines = new List<string>();
        var ready = new TaskCompletionSource<(Uri, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Uri? url = null;
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (lines)
                lines.Add(e.Data);
            if (Listening().Match(e.Data) is { Success: true } m)
                url = new Uri(m.Groups[1].Value);
            if (DemoKey().Match(e.Data) is { Success: true } k && url is not null)
                ready.TrySetResult((url, k.Groups[1].Value));
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var (address, key) = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            using var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Add("x-api-key", key);
            (await client.SendAsync(Wire.Post("/anthropic/v1/messages",
                """{"model":"claude-haiku-4-5","max_tokens":32,"messages":[{"role":"user","content":"log me"}]}"""), ct)).Dispose();
        }
        finally
        {
            Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            await server.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        }

        List<string> json;
        lock (lines)
            json = [.. lines.Where(l => l.StartsWith('{'))];
        Assert.NotEmpty(json);
        var entries = json.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var records = entries.Where(e => e.GetProperty("Message").GetString() == "interception log")
            .Select(e => e.GetProperty("State").GetProperty("record_type").GetString()).ToList();
        Assert.Equal(["interception_start", "prompt_usage", "token_usage", "interception_end"], records);
        var prompt = entries.Single(e => e.GetProperty("Message").GetString() == "interception log"
            && e.GetProperty("State").GetProperty("record_type").GetString() == "prompt_usage");
        Assert.Equal("log me", prompt.GetProperty("State").GetProperty("prompt").GetString());
        Assert.DoesNotContain(json, l => l.Contains("bk_", StringComparison.Ordinal) || l.Contains("demo-upstream-key", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"Bridgekeeper listening on (http://\S+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"BRIDGEKEEPER_KEY=(bk_[A-Za-z0-9_-]+)")]
    private static partial Regex DemoKey();
}
