using System.Diagnostics;
using System.Net;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Tests.Storage;

namespace Bridgekeeper.EndToEndTests.Postgres;

/// <summary>
/// The PostgreSQL server goes away in the middle of traffic and comes back: nothing admitted is lost, what does not fit
/// in the queue waits in the spool, what does not fit there is refused with 503, and the gateway recovers without a restart. Skipped on SQLite runs.
/// </summary>
[Collection(nameof(PostgresServerCollection))]
public sealed class PostgresDurabilityTests : IAsyncLifetime
{
    private const string Chat = """{"model":"gpt-4o","messages":[{"role":"user","content":"still there?"}]}""";
    private const string Messages = """{"model":"claude-haiku-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"durable?"}]}""";
    private MockUpstreamServer _upstream = null!;

    public async ValueTask InitializeAsync() =>
        _upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions(), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task ServerStoppedMidTraffic_AdmittedRecordsLandAfterRestart_OverflowGets503_GatewayRecovers()
    {
        Assert.SkipUnless(TestPostgres.Selected, "PostgreSQL only (BRIDGEKEEPER_TEST_DATABASE=postgres).");
        var pgCtl = Environment.GetEnvironmentVariable(TestPostgres.PgCtlVariable)
            ?? throw new InvalidOperationException($"{TestPostgres.PgCtlVariable} must name the script that runs pg_ctl for the test server (test.sh sets it).");
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(_upstream, s => s with { AuditQueueCapacity = 12, SpoolBytes = 8 * 1024 });   // past the queue, records wait in the spool until it is full
        using var client = gateway.CreateClient(await gateway.CreateKeyAsync("judy"));
        var stopped = false;
        try
        {
            Assert.Equal(HttpStatusCode.OK, await SendChatAsync(client, 0, ct));   // also caches the key for the outage
            var streams = new List<Task<string>>();
            for (var i = 1; i <= 2; i++)
            {
                var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages", Messages, ("x-mock-chunk-delay-ms", "300"),
                    ("x-mock-usage", $"input={i},output=1")), HttpCompletionOption.ResponseHeadersRead, ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                streams.Add(response.Content.ReadAsStringAsync(ct));
            }

            await RunAsync(pgCtl, "stop -m fast", ct);
            stopped = true;
            var admittedDuringOutage = 0;
            string? refusal = null;
            for (var i = 3; i < 40 && refusal is null; i++)
            {
                using var response = await client.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat, ("x-mock-usage", $"input={i},output=1")), ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    refusal = body;
                else
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    admittedDuringOutage++;
                }
            }
            Assert.All(await Task.WhenAll(streams), body => Assert.Contains("event: message_stop", body, StringComparison.Ordinal));
            Assert.NotNull(refusal);
            BadInputTests.AssertProviderError(refusal, "openai", "");
            Assert.Contains("audit backlog is full", refusal, StringComparison.Ordinal);
            Assert.Contains(gateway.Logs.Lines, l => l.Contains("Failed to write", StringComparison.Ordinal));

            await RunAsync(pgCtl, "start", ct);
            stopped = false;
            var admitted = 3 + admittedDuringOutage;
            await gateway.WaitForEndedAsync(expected: admitted);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (await SendChatAsync(client, 100, ct) != HttpStatusCode.OK)
            {
                Assert.True(DateTime.UtcNow < deadline, "the gateway did not recover after PostgreSQL came back");
                await Task.Delay(100, ct);
            }
            await gateway.WaitForEndedAsync(expected: admitted + 1);

            var all = await gateway.ListInterceptionsAsync();
            Assert.Equal(admitted + 1, all.Count);
            Assert.Equal(all.Count, all.Select(i => i.GetProperty("id").GetString()).Distinct().Count());
            var inputs = all.Select(i => Assert.Single(i.GetProperty("token_usages").EnumerateArray()).GetProperty("input_tokens").GetInt64()).Order();
            Assert.Equal([0, .. Enumerable.Range(1, admitted - 1).Select(i => (long)i), 100], inputs);
            Assert.All(all, i => Assert.Equal("completed", i.GetProperty("status").GetString()));
        }
        finally
        {
            if (stopped)
                await RunAsync(pgCtl, "start", CancellationToken.None);
        }
    }

    private static async Task<HttpStatusCode> SendChatAsync(HttpClient client, int input, CancellationToken ct)
    {
        using var response = await client.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat, ("x-mock-usage", $"input={input},output=1")), ct);
        await response.Content.ReadAsStringAsync(ct);
        return response.StatusCode;
    }

    /// <summary>Runs the test server's <c>pg_ctl</c> script (stop, start) and checks it succeeded.</summary>
    internal static async Task RunAsync(string pgCtl, string arguments, CancellationToken ct)
    {
        using var process = Process.Start(new ProcessStartInfo(pgCtl, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        Assert.True(process.ExitCode == 0, $"{pgCtl} {arguments} exited with {process.ExitCode}: {await output}{await error}");
    }
}
