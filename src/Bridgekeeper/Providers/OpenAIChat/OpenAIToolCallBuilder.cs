using System.Buffers;
using System.Text;

namespace Bridgekeeper.Providers.OpenAIChat;

/// <summary>One tool call being assembled from streamed deltas (or read whole from a body).</summary>
internal sealed class OpenAIToolCallBuilder(int choice, int index)
{
    private readonly ArrayBufferWriter<byte> _arguments = new(256);

    public int Choice { get; } = choice;
    public int Index { get; } = index;
    public string? Id { get; set; }
    public string? Name { get; set; }

    public void AppendArguments(ReadOnlySpan<byte> utf8) => _arguments.Write(utf8);

    /// <summary>The call, with "{}" standing in for arguments that never arrived.</summary>
    public ToolCall ToToolCall() => new(
        Id ?? "",
        Name ?? "",
        _arguments.WrittenCount == 0 ? "{}" : Encoding.UTF8.GetString(_arguments.WrittenSpan));
}
