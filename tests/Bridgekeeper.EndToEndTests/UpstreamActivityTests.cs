using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// The upstream client starts no <c>System.Net.Http</c> activity of its own (its handler has no headers propagator, so
/// <c>SocketsHttpHandler</c> leaves its diagnostics handler out): an upstream call costs no Activity even while a
/// listener for that source exists, and the gateway adds no trace header of its own upstream. The gateway's own span is unaffected.
/// </summary>
[Collection(nameof(ProcessWideListenerCollection))]
public sealed class UpstreamActivityTests : GatewayTest
{
    [Fact]
    public async Task UpstreamCall_StartsNoHttpClientActivity_EvenWithAListener()
    {
        var ct = TestContext.Current.CancellationToken;
        var upstreamPort = Upstream.Url.Port;
        var started = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity => started.Add(activity),
        };
        ActivitySource.AddActivityListener(listener);
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("ana"));

        using var response = await client.SendAsync(Wire.Post("/openai/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(started);   // the test's own client to the gateway: the listener works
        Assert.DoesNotContain(started, a => a.GetTagItem("server.port") is int port && port == upstreamPort);
        // A traceparent upstream is the client's own header, relayed as sent; the gateway adds none of its own.
        var sent = Assert.Single(Upstream.Exchanges).Headers.GetValueOrDefault("traceparent");
        Assert.Equal(response.RequestMessage!.Headers.TryGetValues("traceparent", out var mine) ? mine.Single() : null, sent);
    }
}
