using System.Text;
using System.Text.Json;
using K = Bridgekeeper.Providers.OpenAIResponses.Keys.Utf8;

namespace Bridgekeeper.Providers.OpenAIResponses;

/// <summary>
/// The top-level fields of a Responses stream event that the hidden loop renumbers, with where their values sit in the
/// data: <c>sequence_number</c>, <c>output_index</c>, <c>item_id</c> and <c>response_id</c>. One pass of
/// <see cref="Utf8JsonReader"/> over the top level; nested values are skipped, and <c>item_id</c> becomes a string
/// only when asked for (the loop only needs it once an injected call is being kept from the client).
/// </summary>
internal readonly record struct ResponsesEventFields(
    ValueSpan Sequence,
    ValueSpan OutputIndex,
    string? ItemId,
    ValueSpan ResponseId)
{
    public static ResponsesEventFields Read(ReadOnlySpan<byte> json, bool readItemId)
    {
        ValueSpan sequence = default, outputIndex = default, responseId = default;
        string? itemId = null;
        try
        {
            if (!Json.EnterRootObject(json, out var reader))
                return default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(K.SequenceNumber))
                    sequence = ValueSpan.Number(ref reader);
                else if (reader.ValueTextEquals(K.OutputIndex))
                    outputIndex = ValueSpan.Number(ref reader);
                else if (reader.ValueTextEquals(K.ResponseId))
                    responseId = ValueSpan.String(ref reader);
                else if (readItemId && reader.ValueTextEquals(K.ItemId))
                    itemId = Json.ReadString(ref reader);
                else
                    reader.Skip();
            }
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // A malformed event (or one whose names or item_id cannot be decoded) is relayed as it came: what was found
            // so far still counts.
        }
        return new ResponsesEventFields(sequence, outputIndex, itemId, responseId);
    }
}

/// <summary>Where a top-level value sits in an event's data: an integer (<see cref="Value"/>) or a string (<see cref="Text"/>).</summary>
internal readonly record struct ValueSpan(bool Found, long Value, string? Text, int Start, int Length)
{
    /// <summary>Reads an integer value; not found for any other kind.</summary>
    public static ValueSpan Number(ref Utf8JsonReader reader)
    {
        if (reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
            return new ValueSpan(true, value, null, (int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);
        reader.Skip();
        return default;
    }

    /// <summary>Reads a string value (its span includes the quotes); not found for any other kind.</summary>
    public static ValueSpan String(ref Utf8JsonReader reader)
    {
        if (reader.Read() && reader.TokenType == JsonTokenType.String)
            return new ValueSpan(true, 0, reader.GetString(), (int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);
        reader.Skip();
        return default;
    }
}

/// <summary>Replaces several values of one event's data at once, each given by where it sits.</summary>
internal sealed class Splices
{
    private readonly List<(int Start, int Length, byte[] Bytes)> _edits = new(3);

    public bool Any => _edits.Count > 0;

    public void Number(ValueSpan at, long value) =>
        _edits.Add((at.Start, at.Length, Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    public void String(ValueSpan at, string value) =>
        _edits.Add((at.Start, at.Length, [(byte)'"', .. JsonEncodedText.Encode(value).EncodedUtf8Bytes, (byte)'"']));

    public byte[] Apply(ReadOnlySpan<byte> json)
    {
        _edits.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var result = new List<byte>(json.Length + 16);
        var at = 0;
        foreach (var (start, length, bytes) in _edits)
        {
            result.AddRange(json[at..start]);
            result.AddRange(bytes);
            at = start + length;
        }
        result.AddRange(json[at..]);
        return [.. result];
    }
}
