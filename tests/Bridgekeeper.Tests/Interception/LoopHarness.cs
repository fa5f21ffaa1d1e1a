using System.Text;
using Bridgekeeper.Interception;
using Bridgekeeper.Providers;
using Bridgekeeper.Streaming;
using Bridgekeeper.Tests.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Tests.Interception;

/// <summary>
/// Drives one loop turn through the gateway's own stream writer (<see cref="SseWriter.RelayTurnAsync"/>, the code the
/// loop runs) over an in-memory response, with the upstream's bytes arriving in random reads.
/// </summary>
internal static class LoopHarness
{
    /// <returns>What the client received during the turn (the writer's response body after its headers).</returns>
    public static async Task<string> RelayAsync(ILoopTurn turn, string stream, IApiDialect dialect, int seed = 7, int maxChunk = 97)
    {
        var ct = TestContext.Current.CancellationToken;
        var http = new DefaultHttpContext();
        using var body = new MemoryStream();
        http.Response.Body = body;
        using var exchange = new FixtureExchange(200, Encoding.UTF8.GetBytes(stream), seed, maxChunk);
        using var idle = new IdleTimeout(TimeSpan.FromMinutes(5), ct);
        await using (var writer = await SseWriter.StartAsync(http, dialect, exchange, TimeProvider.System, TimeSpan.FromMinutes(5), ct))
            Assert.Null(await writer.RelayTurnAsync(exchange, turn, idle));
        return Encoding.UTF8.GetString(body.ToArray());
    }
}

/// <summary>An upstream answer made of fixture bytes: an event stream read in random chunks, or a whole body.</summary>
internal sealed class FixtureExchange(int status, byte[] content, int seed = 7, int maxChunk = 97, bool stream = true,
    IReadOnlyList<KeyValuePair<string, StringValues>>? headers = null) : UpstreamExchange
{
    public override int Status => status;

    public override IReadOnlyList<KeyValuePair<string, StringValues>> Headers { get; } =
        headers ?? [new("content-type", stream ? "text/event-stream" : "application/json")];

    public override bool IsStream => stream;

    public override IAsyncEnumerable<SseEvent> ReadEventsAsync(CancellationToken cancellationToken) =>
        SseEventReader.ReadAsync(ChunkedStream.Random(content, seed, maxChunk), cancellationToken);

    public override Task<byte[]?> ReadBodyAsync(CancellationToken cancellationToken) => Task.FromResult<byte[]?>(content);

    public override void Dispose()
    {
    }
}
