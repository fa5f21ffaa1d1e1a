using System.Text;
using System.Text.Json;
using E = Bridgekeeper.Providers.OpenAIResponses.Keys.Events;
using K = Bridgekeeper.Providers.OpenAIResponses.Keys.Utf8;

namespace Bridgekeeper.Providers.OpenAIResponses;

/// <summary>Small readers of Responses wire values. Each is called with the reader on a property name.</summary>
internal static class ResponsesWire
{
    private static readonly string[] KnownEvents =
    [
        E.Created, E.InProgress, E.Completed, E.Incomplete, E.Failed, E.OutputItemAdded, E.OutputItemDone,
        E.FunctionCallArgumentsDelta, E.CustomToolCallInputDelta, E.McpCallArgumentsDelta, E.Error,
    ];

    /// <summary>The event name from the data's own <c>type</c>, for frames without an <c>event:</c> line; null when not ours.</summary>
    public static string? EventTypeOf(ReadOnlySpan<byte> json) => Json.KnownType(json, KnownEvents);

    /// <summary>Whether the value is the string <paramref name="expected"/>; consumes it whatever its kind.</summary>
    public static bool ReadIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> expected)
    {
        if (reader.Read() && reader.TokenType == JsonTokenType.String)
            return reader.ValueTextEquals(expected);
        reader.Skip();
        return false;
    }

    /// <summary>
    /// How strongly a property names a tool call's arguments, lower first: <c>action</c> (built-in calls), then
    /// <c>arguments</c> (function and MCP calls), <c>input</c> (custom tools), <c>code</c> (code interpreter),
    /// <c>queries</c> (file search). Null for any other property.
    /// </summary>
    public static int? ArgumentsRank(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals(K.Action) ? 0
        : reader.ValueTextEquals(K.Arguments) ? 1
        : reader.ValueTextEquals(K.Input) ? 2
        : reader.ValueTextEquals(K.Code) ? 3
        : reader.ValueTextEquals(K.Queries) ? 4
        : null;

    /// <summary>
    /// A tool call's arguments: a string as its (unescaped) text, since <c>arguments</c> strings already hold JSON and
    /// custom tools take free text; an object or array as its JSON text exactly as sent; null for any other kind.
    /// </summary>
    public static string? ReadArguments(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);
            default:
                reader.Skip();
                return null;
        }
    }

    /// <summary>
    /// The non-empty <c>text</c> of every part of type <paramref name="partType"/> in an array of content parts
    /// (<c>summary</c> or <c>content</c>), joined with <paramref name="separator"/>; null when there is none.
    /// </summary>
    public static string? ReadTexts(ref Utf8JsonReader reader, ReadOnlySpan<byte> partType, string separator)
    {
        if (!Json.EnterArray(ref reader))
            return null;
        List<string>? texts = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            var matches = false;
            string? text = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(K.Type))
                    matches = ReadIs(ref reader, partType);
                else if (reader.ValueTextEquals(K.Text))
                    text = Json.ReadString(ref reader);
                else
                    reader.Skip();
            }
            if (matches && !string.IsNullOrEmpty(text))
                (texts ??= []).Add(text);
        }
        return texts is null ? null : string.Join(separator, texts);
    }
}
