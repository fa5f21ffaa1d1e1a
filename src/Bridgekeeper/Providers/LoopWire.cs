using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bridgekeeper.Providers;

/// <summary>Wire helpers the loop turns share: find and splice a top-level number, frame rewritten events, put injected tools first.</summary>
internal static class LoopWire
{
    /// <summary>Sets the request's <c>tools</c> to the injected ones (stable order) followed by the client's own, untouched.</summary>
    public static void PrependTools(JsonObject request, IEnumerable<JsonNode> injected)
    {
        JsonArray merged = [.. injected];
        if (request["tools"] is JsonArray existing)
            foreach (var tool in existing)
                merged.Add(tool?.DeepClone());
        request["tools"] = merged;
    }

    /// <summary>The value of a top-level integer property (e.g. <c>index</c>), with where its digits sit in <paramref name="json"/>.</summary>
    public static bool TryFindNumber(ReadOnlySpan<byte> json, ReadOnlySpan<byte> property, out long value, out int start, out int length)
    {
        (value, start, length) = (0, 0, 0);
        try
        {
            if (!Json.EnterRootObject(json, out var reader))
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(property);
                reader.Read();
                if (match && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value))
                {
                    (start, length) = ((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);
                    return true;
                }
                reader.Skip();
            }
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Malformed, or a property name that cannot be decoded (a lone surrogate escape): no number found.
        }
        return false;
    }

    /// <summary><paramref name="json"/> with the bytes at [start, start+length) replaced by <paramref name="value"/>.</summary>
    public static byte[] Splice(ReadOnlySpan<byte> json, int start, int length, long value)
    {
        var digits = Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
        return [.. json[..start], .. digits, .. json[(start + length)..]];
    }

    /// <summary>A complete SSE frame: an optional <c>event:</c> line, one <c>data:</c> line, a blank line.</summary>
    public static byte[] Frame(string? eventType, ReadOnlySpan<byte> data)
    {
        var buffer = new ArrayBufferWriter<byte>(data.Length + 64);
        if (eventType is not null)
        {
            buffer.Write("event: "u8);
            buffer.Write(Encoding.UTF8.GetBytes(eventType));
            buffer.Write("\n"u8);
        }
        buffer.Write("data: "u8);
        buffer.Write(data);
        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A rewritten event's data or body: compact, as <see cref="Json.Write"/> writes it.</summary>
    public static byte[] Serialize(JsonNode node) => Json.Write(node, static (writer, node) => node.WriteTo(writer));
}
