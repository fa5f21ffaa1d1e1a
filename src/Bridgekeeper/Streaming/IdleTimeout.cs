namespace Bridgekeeper.Streaming;

/// <summary>
/// An idle timeout for one upstream exchange (YARP's pattern): the token cancels when the client goes away or
/// when nothing arrived from upstream for <c>timeout</c>. Every event calls <see cref="Reset"/>; there is no total timeout,
/// because long generations are normal.
/// </summary>
internal sealed class IdleTimeout : IDisposable
{
    private readonly CancellationTokenSource _silence;
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _client;
    private readonly TimeSpan _timeout;

    public IdleTimeout(TimeSpan timeout, CancellationToken client)
        : this(timeout, client, TimeProvider.System)
    {
    }

    /// <summary>The clock is a seam for tests; the gateway runs on <see cref="TimeProvider.System"/>.</summary>
    internal IdleTimeout(TimeSpan timeout, CancellationToken client, TimeProvider time)
    {
        _timeout = timeout;
        _client = client;
        _silence = new CancellationTokenSource(timeout, time);
        _source = CancellationTokenSource.CreateLinkedTokenSource(client, _silence.Token);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>True when the token fired because upstream went silent, not because the client left.</summary>
    public bool TimedOut => _source.IsCancellationRequested && !_client.IsCancellationRequested;

    public void Reset() => _silence.CancelAfter(_timeout);

    public void Dispose()
    {
        _source.Dispose();
        _silence.Dispose();
    }
}
