using System.Text;
using Bridgekeeper.Interception;
using Bridgekeeper.Providers;
using Bridgekeeper.Streaming;
using Bridgekeeper.Tests.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
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
        using var body = new MemoryStream();
        var http = StartingResponse.Context(body);
        using var exchange = new FixtureExchange(200, Encoding.UTF8.GetBytes(stream), seed, maxChunk);
        using var idle = new IdleTimeout(TimeSpan.FromMinutes(5), ct);
        await using (var writer = await SseWriter.StartAsync(http, dialect, exchange, TimeProvider.System, TimeSpan.FromMinutes(5), ct))
            Assert.Null(await writer.RelayTurnAsync(exchange, turn, idle));
        return Encoding.UTF8.GetString(body.ToArray());
    }
}

/// <summary>
/// An upstream answer made of fixture bytes: an event stream read in random chunks, or a whole body; with
/// <paramref name="breaksWith"/>, the stream ends after its bytes as a broken connection does.
/// </summary>
internal sealed class FixtureExchange(int status, byte[] content, int seed = 7, int maxChunk = 97, bool stream = true,
    IReadOnlyList<KeyValuePair<string, StringValues>>? headers = null, UpstreamFailure? breaksWith = null) : UpstreamExchange
{
    public override int Status => status;

    public override IReadOnlyList<KeyValuePair<string, StringValues>> Headers { get; } =
        headers ?? [new("content-type", stream ? "text/event-stream" : "application/json")];

    public override bool IsStream => stream;

    public override async IAsyncEnumerable<SseEvent> ReadEventsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in SseEventReader.ReadAsync(ChunkedStream.Random(content, seed, maxChunk), cancellationToken))
            yield return item;
        Failure = breaksWith;
    }

    public override Task<byte[]?> ReadBodyAsync(CancellationToken cancellationToken) => Task.FromResult<byte[]?>(content);

    public override void Dispose()
    {
    }
}

/// <summary>
/// An in-memory response that starts as Kestrel's does: <c>HasStarted</c> turns true and the <c>OnStarting</c>
/// callbacks run when the headers would go out (on <c>StartAsync</c> or the first body write). A plain
/// <see cref="DefaultHttpContext"/> never reports a start, so code that looks at it would take the wrong path.
/// </summary>
internal sealed class StartingResponse : HttpResponseFeature, IHttpResponseBodyFeature
{
    private readonly StreamResponseBodyFeature _body;
    private readonly List<(Func<object, Task> Callback, object State)> _starting = [];
    private bool _started;

    private StartingResponse(Stream body) => _body = new StreamResponseBodyFeature(new StartOnWrite(body, this));

    /// <summary>A context whose response body is <paramref name="body"/>.</summary>
    public static DefaultHttpContext Context(Stream body)
    {
        var http = new DefaultHttpContext();
        var response = new StartingResponse(body);
        http.Features.Set<IHttpResponseFeature>(response);
        http.Features.Set<IHttpResponseBodyFeature>(response);
        return http;
    }

    public override bool HasStarted => _started;

    public override void OnStarting(Func<object, Task> callback, object state) => _starting.Insert(0, (callback, state));

    public Stream Stream => _body.Stream;
    public System.IO.Pipelines.PipeWriter Writer => _body.Writer;

    public void DisableBuffering() => _body.DisableBuffering();

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await StartOnceAsync();
        await _body.StartAsync(cancellationToken);
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        _body.SendFileAsync(path, offset, count, cancellationToken);

    public Task CompleteAsync() => _body.CompleteAsync();

    private async Task StartOnceAsync()
    {
        if (_started)
            return;
        foreach (var (callback, state) in _starting)
            await callback(state);
        _started = true;
    }

    /// <summary>The body stream: the first write starts the response.</summary>
    private sealed class StartOnWrite(Stream inner, StartingResponse response) : Stream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await response.StartOnceAsync();
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Responses are written asynchronously.");
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
