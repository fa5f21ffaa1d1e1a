using System.Text.Json;

namespace Bridgekeeper.Providers;

/// <summary>
/// What the accumulators of the three APIs share. They read stream events and bodies with <see cref="Utf8JsonReader"/>
/// (no DOM: this is the hot path) and keep what the audit needs; data that is malformed, or cannot be decoded, is not
/// ours to judge: it is relayed regardless, and we learn nothing from it. Each API reads its own events and its own
/// body (<see cref="ReadEventData"/>, <see cref="ReadBodyProperties"/>); the response id and the <c>error</c> object
/// are read the same way by all of them.
/// </summary>
internal abstract class ExchangeAccumulator
{
    /// <summary>The response's id: the first one seen.</summary>
    protected string? ResponseId { get; private set; }

    /// <summary>The upstream's error, as <c>type: message</c> (or the message alone); null when there was none.</summary>
    protected string? Error { get; set; }

    /// <summary>Reads one stream event. Malformed JSON is ignored: the event is relayed regardless.</summary>
    public void ReadEvent(string? eventType, ReadOnlySpan<byte> json)
    {
        try
        {
            ReadEventData(eventType, json);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Not ours to judge: we learn nothing from this event.
        }
    }

    /// <summary>Reads a whole non-streaming body: a response, or an error.</summary>
    public void ReadBody(ReadOnlySpan<byte> json)
    {
        try
        {
            if (Json.EnterRootObject(json, out var reader))
                ReadBodyProperties(ref reader, json);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // As above: a body we cannot read is still relayed.
        }
    }

    /// <summary>One event's data (<paramref name="eventType"/> is null for frames without an <c>event:</c> line). May throw on malformed JSON.</summary>
    protected abstract void ReadEventData(string? eventType, ReadOnlySpan<byte> json);

    /// <summary>A body's properties; the reader is on the root object's start. May throw on malformed JSON.</summary>
    protected abstract void ReadBodyProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> json);

    /// <summary>Keeps the first id; later ones (every chunk or event may repeat it) are skipped without making a string.</summary>
    protected void ReadResponseId(ref Utf8JsonReader reader)
    {
        if (ResponseId is null)
            ResponseId = Json.ReadString(ref reader);
        else
            reader.Skip();
    }

    /// <summary>An <c>error</c> value; anything but an object is skipped. See <see cref="ReadErrorProperties"/>.</summary>
    protected void ReadError(ref Utf8JsonReader reader, bool codeFirst = false)
    {
        if (Json.EnterObject(ref reader))
            ReadErrorProperties(ref reader, codeFirst);
    }

    /// <summary>
    /// An error object's <c>type</c> and <c>message</c>; the reader is on its start. With <paramref name="codeFirst"/>
    /// its <c>code</c>, when there is one, names the error instead of its <c>type</c>.
    /// </summary>
    protected void ReadErrorProperties(ref Utf8JsonReader reader, bool codeFirst = false)
    {
        string? code = null, type = null, message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (codeFirst && reader.ValueTextEquals("code"u8))
                code = Json.ReadString(ref reader);
            else if (reader.ValueTextEquals("type"u8))
                type = Json.ReadString(ref reader);
            else if (reader.ValueTextEquals("message"u8))
                message = Json.ReadString(ref reader);
            else
                reader.Skip();
        }
        Error = Describe(code ?? type, message);
    }

    /// <summary><c>kind: message</c>, or the message alone when nothing names the error.</summary>
    protected static string Describe(string? kind, string? message) => kind is null ? message ?? "" : $"{kind}: {message}";
}
