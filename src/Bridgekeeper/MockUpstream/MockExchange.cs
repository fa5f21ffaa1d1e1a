using System.Buffers;

namespace Bridgekeeper.MockUpstream;

/// <summary>One captured request and what the mock sent back. Safe to read while the response is still being written.</summary>
internal sealed class MockExchange
{
    private readonly Lock _lock = new();
    private readonly ArrayBufferWriter<byte> _response = new();
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _status;
    private bool _aborted;

    public required string Method { get; init; }
    public required string Path { get; init; }

    /// <summary>Including the leading <c>?</c>, or empty.</summary>
    public required string QueryString { get; init; }

    /// <summary>Lower-case names; repeated values joined with <c>", "</c>.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    public required byte[] RequestBody { get; init; }

    public int Status
    {
        get { lock (_lock) return _status; }
    }

    /// <summary>A copy of the exact bytes written so far.</summary>
    public byte[] ResponseBody
    {
        get { lock (_lock) return _response.WrittenSpan.ToArray(); }
    }

    /// <summary>Completes when the response finished or the client went away.</summary>
    public Task Completed => _completed.Task;

    /// <summary>True when the client went away before the response ended.</summary>
    public bool Aborted
    {
        get { lock (_lock) return _aborted; }
    }

    internal void SetStatus(int status)
    {
        lock (_lock) _status = status;
    }

    internal void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_lock) _response.Write(bytes);
    }

    internal void Complete(int status, bool aborted)
    {
        lock (_lock)
        {
            _status = status;
            _aborted = aborted;
        }
        _completed.TrySetResult();
    }
}
