using System.CommandLine;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Settings;

namespace Bridgekeeper.Cli;

/// <summary><c>bridgekeeper mock-upstream</c>: the built-in stand-in for the OpenAI and Anthropic APIs, until Ctrl+C.</summary>
internal static class MockUpstreamCommand
{
    public const string DefaultHttpAddress = "127.0.0.1:8090";

    public static Command Create(CliGlobals globals)
    {
        _ = globals;    // the mock needs neither settings file nor database
        var address = new Option<string?>("--http-address") { Description = $"host:port to listen on (default {DefaultHttpAddress}; port 0 picks one)" };
        var latency = new Option<string?>("--latency") { Description = "wait before response headers, e.g. 200ms (default 0)" };
        var chunkDelay = new Option<string?>("--chunk-delay") { Description = "wait between stream events, e.g. 20ms (default 0)" };
        var chunkWords = new Option<int?>("--chunk-words") { Description = "words of text per stream delta (default 1)" };
        var key = new Option<string?>("--key") { Description = "the only API key accepted (default: any non-empty key)" };
        var command = new Command("mock-upstream",
            "Run a stand-in for the OpenAI (chat completions, responses) and Anthropic (messages) APIs; steer it with x-mock-* headers "
            + "or with 'mock:reply=TEXT', 'mock:run=COMMAND' and 'mock:usage=input=N,output=N' lines in the prompt");
        foreach (var option in new Option[] { address, latency, chunkDelay, chunkWords, key })
            command.Options.Add(option);

        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
        {
            if (!TryDuration(result.GetValue(latency), "--latency", out var latencyValue)
                || !TryDuration(result.GetValue(chunkDelay), "--chunk-delay", out var chunkDelayValue))
                return 2;
            var words = result.GetValue(chunkWords) ?? 1;
            if (words < 1)
            {
                Console.Error.WriteLine("--chunk-words must be at least 1");
                return 2;
            }
            var options = new MockUpstreamOptions
            {
                HttpAddress = result.GetValue(address) ?? DefaultHttpAddress,
                Latency = latencyValue,
                ChunkDelay = chunkDelayValue,
                ChunkWords = words,
                ExpectedKey = result.GetValue(key),
                CaptureExchanges = false,
            };
            MockUpstreamServer server;
            try
            {
                server = await MockUpstreamServer.StartAsync(options, cancellationToken);
            }
            catch (Exception exception) when (exception is ArgumentException or IOException)
            {
                Console.Error.WriteLine($"mock-upstream: {exception.Message}");
                return 1;
            }
            await using (server)
            {
                Console.WriteLine($"Mock upstream on {server.Url}  OpenAI base URL: {server.OpenAIBaseUrl}  Anthropic base URL: {server.AnthropicBaseUrl}");
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C: stop cleanly.
                }
            }
            return 0;
        });
        return command;
    }

    private static bool TryDuration(string? text, string option, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text is null || Durations.TryParse(text, out value))
            return true;
        Console.Error.WriteLine($"{option}: '{text}' is not a duration (e.g. 0, 50ms, 2s)");
        return false;
    }
}
