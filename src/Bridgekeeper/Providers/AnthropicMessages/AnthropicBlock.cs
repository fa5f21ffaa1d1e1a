using System.Buffers;
using System.Text;

namespace Bridgekeeper.Providers.AnthropicMessages;

/// <summary>A content block worth auditing (a tool call or thinking), assembled from stream deltas or read whole.</summary>
internal sealed class AnthropicBlock(AnthropicBlockKind kind)
{
    private readonly ArrayBufferWriter<byte> _deltas = new(256);
    private bool _hasDeltas;

    public AnthropicBlockKind Kind { get; } = kind;
    public string? Id { get; init; }
    public string? Name { get; init; }

    /// <summary>The tool input given in the block itself (raw JSON text), or the thinking text given there.</summary>
    public string? Initial { get; init; }

    public void Append(ReadOnlySpan<byte> utf8)
    {
        _deltas.Write(utf8);
        _hasDeltas = true;
    }

    /// <summary>Streamed <c>partial_json</c> pieces when any came, else the block's own input, else "{}".</summary>
    public ToolCall ToToolCall() => new(Id ?? "", Name ?? "", _hasDeltas ? DeltaText() : Initial ?? "{}");

    /// <summary>The thinking text: what the block started with plus every <c>thinking_delta</c>.</summary>
    public string ThinkingText() => (Initial ?? "") + DeltaText();

    private string DeltaText() => Encoding.UTF8.GetString(_deltas.WrittenSpan);
}
