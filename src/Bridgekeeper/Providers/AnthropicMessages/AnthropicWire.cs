using System.Text.Json;
using E = Bridgekeeper.Providers.AnthropicMessages.Keys.Events;
using K = Bridgekeeper.Providers.AnthropicMessages.Keys.Utf8;

namespace Bridgekeeper.Providers.AnthropicMessages;

/// <summary>Small allocation-free readers of Messages wire values.</summary>
internal static class AnthropicWire
{
    private static readonly string[] KnownEvents =
        [E.MessageStart, E.MessageDelta, E.ContentBlockStart, E.ContentBlockDelta, E.Error];

    /// <summary>The kind of a content block from its <c>type</c> value; null for blocks the audit ignores.</summary>
    public static AnthropicBlockKind? BlockKind(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
            return SkipToNull(ref reader);
        if (reader.ValueTextEquals(K.ToolUse) || reader.ValueTextEquals(K.ServerToolUse) || reader.ValueTextEquals(K.McpToolUse))
            return AnthropicBlockKind.ToolUse;
        return reader.ValueTextEquals(K.Thinking) ? AnthropicBlockKind.Thinking : null;
    }

    /// <summary>The block kind a delta feeds, from its <c>type</c> value; null for deltas the audit ignores.</summary>
    public static AnthropicBlockKind? DeltaKind(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
            return SkipToNull(ref reader);
        if (reader.ValueTextEquals(K.InputJsonDelta))
            return AnthropicBlockKind.ToolUse;
        return reader.ValueTextEquals(K.ThinkingDelta) ? AnthropicBlockKind.Thinking : null;
    }

    /// <summary>The event name from the data's own <c>type</c>, for frames without an <c>event:</c> line.</summary>
    public static string? EventTypeOf(ReadOnlySpan<byte> json) => Json.KnownType(json, KnownEvents);

    /// <summary>Positions a reader on the start of the root object's property <paramref name="key"/>, if it is an object.</summary>
    public static bool TryEnterRoot(ReadOnlySpan<byte> json, ReadOnlySpan<byte> key, out Utf8JsonReader reader)
    {
        if (!Json.EnterRootObject(json, out reader))
            return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(key))
                return Json.EnterObject(ref reader);
            reader.Skip();
        }
        return false;
    }

    /// <summary>A tool input's JSON text, or null when it is an empty object (streams send <c>{}</c> before the deltas).</summary>
    public static string? NonEmptyInput(string raw)
    {
        var inner = raw.AsSpan().Trim();
        return inner.Length >= 2 && inner[0] == '{' && inner[^1] == '}' && inner[1..^1].Trim().IsEmpty ? null : raw;
    }

    private static AnthropicBlockKind? SkipToNull(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }
}
