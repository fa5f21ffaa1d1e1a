using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Bridgekeeper.Providers.OpenAIResponses;

/// <summary>
/// An output item the audit records, kept at its <c>output_index</c>: a tool call or a thought. A call announced by
/// <c>response.output_item.added</c> collects its argument deltas, so a cut stream still yields what arrived, until
/// <c>response.output_item.done</c> replaces it with the whole item.
/// </summary>
internal sealed class ResponsesOutputItem
{
    private readonly string _id;
    private readonly string _name;
    private readonly string? _arguments;
    private ArrayBufferWriter<byte>? _deltas;

    private ResponsesOutputItem(string id, string name, string? arguments, Thought? thought)
    {
        (_id, _name, _arguments) = (id, name, arguments);
        Thought = thought;
    }

    /// <summary>The thought this item holds, or null when it is a tool call.</summary>
    public Thought? Thought { get; }

    /// <summary>A <c>web_search_call</c>: a search OpenAI runs and bills per call.</summary>
    public bool WebSearch { get; private init; }

    public static ResponsesOutputItem Call(string id, string name, string? arguments, bool webSearch = false) =>
        new(id, name, arguments, thought: null) { WebSearch = webSearch };

    public static ResponsesOutputItem Thinking(Thought thought) => new("", "", null, thought);

    /// <summary>Appends a streamed string piece, unescaped; the reader is on the <c>delta</c> property.</summary>
    public void Append(ref Utf8JsonReader reader) => Json.AppendString(ref reader, _deltas ??= new ArrayBufferWriter<byte>(256));

    /// <summary>Streamed pieces when any came, else the item's own arguments, else "{}".</summary>
    public ToolCall ToToolCall() => new(_id, _name, _deltas is { WrittenCount: > 0 } deltas
        ? Encoding.UTF8.GetString(deltas.WrittenSpan)
        : _arguments is { Length: > 0 } arguments ? arguments : "{}");
}
