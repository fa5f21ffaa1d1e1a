using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bridgekeeper.Providers;

/// <summary>Writes an edited request body back to bytes. Unknown fields, property order and number text survive.</summary>
internal static class JsonBody
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <param name="sizeHint">The expected size (the body as received): one buffer of about that size, not a chain of doublings.</param>
    public static ReadOnlyMemory<byte> Serialize(JsonNode body, int sizeHint = 0)
    {
        var buffer = sizeHint > 0 ? new ArrayBufferWriter<byte>(sizeHint + 4096) : new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            body.WriteTo(writer);
        return buffer.WrittenMemory;
    }

    /// <summary>
    /// What goes upstream for <paramref name="request"/> after its edits: the object written back once one was built
    /// (tools were injected, or <paramref name="edit"/> needed it); else the members <paramref name="edit"/> adds, spliced
    /// in front of the client's own bytes; else those bytes as they came.
    /// </summary>
    public static (ReadOnlyMemory<byte> Head, ReadOnlyMemory<byte> Body) ForUpstream(RequestDocument request, BodyEdit edit) =>
        request.HasObject ? (default, Serialize(request.Object, request.Body.Length))
        : edit.Changed ? Prepend(request.Body, edit.LeadingMembers.Span)
        : (default, request.Body);

    /// <summary>
    /// The original bytes of a JSON object with new members in front, as two parts to send one after the other: a small
    /// new head (<c>{</c>, the members, a comma unless the object was empty) and the rest of the original, not copied.
    /// </summary>
    public static (ReadOnlyMemory<byte> Head, ReadOnlyMemory<byte> Tail) Prepend(ReadOnlyMemory<byte> body, ReadOnlySpan<byte> members)
    {
        var span = body.Span;
        var open = span.IndexOf((byte)'{');
        var rest = body[(open + 1)..];
        var empty = rest.Span.TrimStart(" \t\r\n"u8) is [(byte)'}', ..];
        byte[] head = [(byte)'{', .. members, .. (empty ? ReadOnlySpan<byte>.Empty : ","u8)];
        return (head, rest);
    }
}
