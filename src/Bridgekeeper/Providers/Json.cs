using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bridgekeeper.Providers;

/// <summary>
/// Small JSON helpers. The <see cref="JsonNode"/> readers never throw on a missing or mistyped field. The
/// <see cref="Utf8JsonReader"/> readers are called with the reader on a property name and consume its value whatever
/// its kind, returning null (or false) when the kind is not the expected one; they throw only on malformed JSON.
/// </summary>
internal static class Json
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The string value of <paramref name="node"/>, or null when it is absent or not a string.</summary>
    public static string? String(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A whole number however the node holds it (parsed, or set from an int or a long), else null.</summary>
    public static long? Long(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
        && long.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number : null;

    /// <summary>The boolean value of <paramref name="node"/>, or null when it is absent or not a boolean.</summary>
    public static bool? Bool(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    /// <summary>The property <paramref name="key"/> of <paramref name="node"/> when it is an object, else null.</summary>
    public static JsonNode? Property(JsonNode? node, string key) =>
        node is JsonObject obj && obj.TryGetPropertyValue(key, out var value) ? value : null;

    /// <summary>Writes one JSON document (compact, on one line) to UTF-8 bytes.</summary>
    public static byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            write(writer, state);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a string value; null for any other kind.</summary>
    public static string? ReadString(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : SkipToDefault<string>(ref reader);

    /// <summary>Reads a token count: a non-negative integer; null for any other kind or a negative number (never billed as a refund).</summary>
    public static long? ReadCount(ref Utf8JsonReader reader) => ReadLong(ref reader) is >= 0 and var count ? count : null;

    /// <summary>Reads an integer value; null for any other kind (including JSON null).</summary>
    public static long? ReadLong(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)
            ? value
            : SkipToDefault<long?>(ref reader);

    /// <summary>A reader on the start of the root object of <paramref name="json"/>; false when the root is not an object. Throws on malformed JSON.</summary>
    public static bool EnterRootObject(ReadOnlySpan<byte> json, out Utf8JsonReader reader)
    {
        reader = new Utf8JsonReader(json);
        return reader.Read() && reader.TokenType == JsonTokenType.StartObject;
    }

    /// <summary>Steps into an object value; false (with the value skipped) for any other kind.</summary>
    public static bool EnterObject(ref Utf8JsonReader reader) => Enter(ref reader, JsonTokenType.StartObject);

    /// <summary>Steps into an array value; false (with the value skipped) for any other kind.</summary>
    public static bool EnterArray(ref Utf8JsonReader reader) => Enter(ref reader, JsonTokenType.StartArray);

    /// <summary>The value's JSON text exactly as it appears in <paramref name="json"/>.</summary>
    public static string ReadRawText(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        reader.Read();
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);
    }

    /// <summary>Appends a string value, unescaped, to <paramref name="destination"/> without making a string.</summary>
    public static void AppendString(ref Utf8JsonReader reader, IBufferWriter<byte> destination)
    {
        if (reader.Read() && reader.TokenType == JsonTokenType.String)
            destination.Advance(reader.CopyString(destination.GetSpan(reader.ValueSpan.Length)));
        else
            reader.Skip();
    }

    private static bool Enter(ref Utf8JsonReader reader, JsonTokenType start)
    {
        if (reader.Read() && reader.TokenType == start)
            return true;
        reader.Skip();
        return false;
    }

    private static T? SkipToDefault<T>(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return default;
    }

    /// <summary>
    /// The root object's <c>type</c> when it is one of <paramref name="known"/> (returned as that same string instance),
    /// else null, also for data that is not JSON or cannot be decoded. For SSE frames that carry no <c>event:</c> line.
    /// </summary>
    public static string? KnownType(ReadOnlySpan<byte> json, ReadOnlySpan<string> known)
    {
        try
        {
            if (!EnterRootObject(json, out var reader))
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("type"u8))
                {
                    reader.Skip();
                    continue;
                }
                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    return null;
                foreach (var name in known)
                    if (reader.ValueTextEquals(name))
                        return name;
                return null;
            }
            return null;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return null;                                   // truncated or undecodable data has no type we know
        }
    }

    /// <summary>
    /// Reads an object value and returns its count property <paramref name="key"/> (0 when absent, negative or not an object),
    /// e.g. <c>prompt_tokens_details.cached_tokens</c>. The reader is on the property name and consumes its value.
    /// </summary>
    public static long ReadNestedLong(ref Utf8JsonReader reader, ReadOnlySpan<byte> key)
    {
        long value = 0;
        if (!EnterObject(ref reader))
            return value;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(key))
                value = ReadCount(ref reader) ?? 0;
            else
                reader.Skip();
        }
        return value;
    }
}
