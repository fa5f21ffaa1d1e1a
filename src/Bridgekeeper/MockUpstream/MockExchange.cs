using System.Buffers;
using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>One captured request and what the mock sent back. Safe to read while the response is still being written.</summary>
internal sealed class MockExchange
{
    private readonly Lock _lock = new();
    private readonly ArrayBufferWriter<byte> _response = new();
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lazy<IReadOnlyList<string>> _toolNames;
    private int _status;
    private bool _aborted;

    public MockExchange() => _toolNames = new(() => ToolNamesOf(RequestBody ?? []));

    public required string Method { get; init; }
    /// <summary>The path as Kestrel decoded it (<c>%3A</c> is <c>:</c>; <c>%2F</c> stays).</summary>
    public required string Path { get; init; }

    /// <summary>The path exactly as it came on the wire, without the query (what SigV4 signs).</summary>
    public required string RawPath { get; init; }

    /// <summary>Including the leading <c>?</c>, or empty.</summary>
    public required string QueryString { get; init; }

    /// <summary>Lower-case names; repeated values joined with <c>", "</c>.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    public required byte[] RequestBody { get; init; }

    /// <summary>
    /// The names of the tools the request declared, in order (empty when it declared none): Chat <c>function.name</c>,
    /// Messages and Responses <c>name</c>; a tool without a name (a built-in such as <c>{"type":"web_search"}</c>) by its <c>type</c>.
    /// </summary>
    public IReadOnlyList<string> ToolNames => _toolNames.Value;

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

    private static IReadOnlyList<string> ToolNamesOf(byte[] body)
    {
        if (MockJson.ParseObject(body)?[K.Tools] is not JsonArray tools)
            return [];
        List<string> names = [];
        foreach (var tool in tools)
            if (tool is JsonObject definition
                && (MockJson.String((definition[K.Function] as JsonObject)?[K.Name]) ?? MockJson.String(definition[K.Name]) ?? MockJson.String(definition[K.Type])) is { } name)
                names.Add(name);
        return names;
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
