using System.Text.Json;
using E = Bridgekeeper.Providers.OpenAIResponses.Keys.Events;
using IT = Bridgekeeper.Providers.OpenAIResponses.Keys.ItemTypes;
using K = Bridgekeeper.Providers.OpenAIResponses.Keys.Utf8;

namespace Bridgekeeper.Providers.OpenAIResponses;

/// <summary>
/// Keeps what the audit needs from Responses stream events and bodies. Only the events that carry it are parsed; text
/// and reasoning deltas, nearly every event of a stream, are passed over by name. A body has the shape of a lifecycle
/// event's <c>response</c>, and a body's <c>output[]</c> entries the shape of <c>response.output_item.done</c>'s
/// <c>item</c>, so both paths share one reader. Every <c>Read…Properties</c> method below is called with the reader on
/// an object's start and consumes its properties.
/// </summary>
internal sealed class OpenAIResponsesAccumulator : ExchangeAccumulator
{
    private readonly IndexedEntries<ResponsesOutputItem> _items = new();
    private TokenUsage? _usage;
    private string? _serviceTier;

    /// <summary>Whether the closing event (<c>response.completed</c>, <c>.incomplete</c> or <c>.failed</c>) arrived.</summary>
    public bool Ended { get; private set; }

    public ExchangeSummary Summarize()
    {
        var items = _items.Present.ToList();
        var searches = items.Count(item => item.WebSearch);
        return new ExchangeSummary(
            ResponseId,
            _usage is { } usage ? usage with { WebSearches = searches, ServiceTier = _serviceTier } : null,
            [.. items.Where(item => item.Thought is null).Select(item => item.ToToolCall())],
            [.. items.Select(item => item.Thought).OfType<Thought>()],
            Error);
    }

    protected override void ReadEventData(string? eventType, ReadOnlySpan<byte> json)
    {
        switch (eventType ?? ResponsesWire.EventTypeOf(json))
        {
            case E.Created or E.InProgress:
                ReadLifecycle(json, final: false);
                break;
            case E.Completed or E.Incomplete or E.Failed:
                Ended = true;
                ReadLifecycle(json, final: true);
                break;
            case E.OutputItemAdded or E.OutputItemDone:
                ReadOutputItemEvent(json);
                break;
            case E.FunctionCallArgumentsDelta or E.CustomToolCallInputDelta or E.McpCallArgumentsDelta:
                ReadArgumentsDelta(json);
                break;
            case E.Error:
                ReadErrorEvent(json);
                break;
        }
    }

    /// <summary>A body is a response, or an error.</summary>
    protected override void ReadBodyProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> json) =>
        ReadResponseProperties(ref reader, json, final: true, output: true);

    /// <summary>
    /// A lifecycle event's <c>response</c>. The closing one carries the final usage and any error; its <c>output</c>
    /// repeats the items already read from <c>response.output_item.done</c>, so it is skipped.
    /// </summary>
    private void ReadLifecycle(ReadOnlySpan<byte> json, bool final)
    {
        if (!Json.EnterRootObject(json, out var reader))
            return;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Response) && Json.EnterObject(ref reader))
                ReadResponseProperties(ref reader, json, final, output: false);
            else
                reader.Skip();                       // also harmless after a failed EnterObject: the value was skipped
        }
    }

    /// <param name="final">Whether to read usage, error and status (a closing event or a body).</param>
    /// <param name="output">Whether to read <c>output[]</c> (a body).</param>
    private void ReadResponseProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, bool final, bool output)
    {
        var failed = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Id))
                ReadResponseId(ref reader);
            else if (final && reader.ValueTextEquals(K.Usage))
                ReadUsage(ref reader);
            else if (final && reader.ValueTextEquals(K.Error))
                ReadError(ref reader, codeFirst: true);   // {code, message} or {message, type, param, code}; null on success
            else if (final && reader.ValueTextEquals(K.Status))
                failed = ResponsesWire.ReadIs(ref reader, K.Failed);
            else if (final && reader.ValueTextEquals(K.ServiceTier))
                _serviceTier = OpenAIUsage.ReadServiceTier(ref reader) ?? _serviceTier;
            else if (output && reader.ValueTextEquals(K.Output))
                ReadOutput(ref reader, json);
            else
                reader.Skip();
        }
        if (failed)
            Error ??= "response failed";
    }

    private void ReadOutput(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        if (!Json.EnterArray(ref reader))
            return;
        for (var index = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; index++)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
                _items.Set(index, ReadItemProperties(ref reader, json));
            else
                reader.Skip();
        }
    }

    /// <summary>
    /// <c>response.output_item.added</c> or <c>.done</c>: the item at <c>output_index</c>. A done item replaces what
    /// was added, so each call is recorded once, whole, however many argument deltas came between.
    /// </summary>
    private void ReadOutputItemEvent(ReadOnlySpan<byte> json)
    {
        if (!Json.EnterRootObject(json, out var reader))
            return;
        long? index = null;
        ResponsesOutputItem? item = null;
        var hasItem = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.OutputIndex))
            {
                index = Json.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals(K.Item))
            {
                hasItem = true;
                item = Json.EnterObject(ref reader) ? ReadItemProperties(ref reader, json) : null;
            }
            else
            {
                reader.Skip();
            }
        }
        if (hasItem && index is { } at)
            _items.Set(at, item);
    }

    /// <summary>
    /// An output item's properties. Null for items the audit ignores (final-answer messages, a reasoning item without
    /// a summary, ...). Properties come in any order, so the large ones are only marked on the first pass (a copy of
    /// the reader) and read once the item's type is known: a final answer's text is never decoded.
    /// </summary>
    private static ResponsesOutputItem? ReadItemProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        string? type = null, id = null, callId = null, name = null;
        var commentary = false;
        Utf8JsonReader summary = default, content = default, arguments = default;
        bool hasSummary = false, hasContent = false;
        var argumentsRank = int.MaxValue;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Type))
            {
                type = Json.ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(K.Id))
            {
                id = Json.ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(K.CallId))
            {
                callId = Json.ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(K.Name))
            {
                name = Json.ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(K.Phase))
            {
                commentary = ResponsesWire.ReadIs(ref reader, K.Commentary);
            }
            else if (reader.ValueTextEquals(K.Summary))
            {
                summary = reader;
                hasSummary = true;
                reader.Skip();
            }
            else if (reader.ValueTextEquals(K.Content))
            {
                content = reader;
                hasContent = true;
                reader.Skip();
            }
            else if (ResponsesWire.ArgumentsRank(ref reader) is { } rank && rank < argumentsRank)
            {
                arguments = reader;
                argumentsRank = rank;
                reader.Skip();
            }
            else
            {
                reader.Skip();
            }
        }

        switch (type)
        {
            case IT.Reasoning:
                return hasSummary ? ThoughtItem(ResponsesWire.ReadTexts(ref summary, K.SummaryText, "\n\n"), "reasoning_summary") : null;
            case IT.Message:
                return commentary && hasContent ? ThoughtItem(ResponsesWire.ReadTexts(ref content, K.OutputText, "\n"), "commentary") : null;
            case IT.FunctionCall or IT.CustomToolCall:
                break;
            case not null when type.EndsWith(IT.CallSuffix, StringComparison.Ordinal):
                name ??= type[..^IT.CallSuffix.Length];   // a built-in call: web_search_call -> web_search
                break;
            default:
                return null;
        }
        var argumentsText = argumentsRank == int.MaxValue ? null : ResponsesWire.ReadArguments(ref arguments, json);
        return ResponsesOutputItem.Call(callId ?? id ?? "", name ?? "", argumentsText, webSearch: type == IT.WebSearchCall);
    }

    private static ResponsesOutputItem? ThoughtItem(string? text, string source) =>
        text is null ? null : ResponsesOutputItem.Thinking(new Thought(text, source));

    /// <summary>
    /// A piece of a call's arguments (function, custom tool or MCP), kept only until the item's done event replaces
    /// the call: it matters for a stream cut before that. Reads no string, so streaming arguments stays cheap.
    /// </summary>
    private void ReadArgumentsDelta(ReadOnlySpan<byte> json)
    {
        if (!Json.EnterRootObject(json, out var reader))
            return;
        long? index = null;
        Utf8JsonReader delta = default;
        var hasDelta = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.OutputIndex))
            {
                index = Json.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals(K.Delta))
            {
                delta = reader;
                hasDelta = true;
                reader.Skip();
            }
            else
            {
                reader.Skip();
            }
        }
        if (hasDelta && _items.At(index) is { Thought: null } call)
            call.Append(ref delta);
    }

    /// <summary>A null <c>usage</c> (before the response ends, or a failure without usage) keeps what was known.</summary>
    private void ReadUsage(ref Utf8JsonReader reader) =>
        _usage = OpenAIUsage.Read(ref reader, K.InputTokens, K.OutputTokens, K.InputTokensDetails, K.OutputTokensDetails) ?? _usage;

    /// <summary>
    /// The <c>error</c> event: <c>{"type":"error","code","message","param"}</c> as documented, or with the fields
    /// nested in an <c>error</c> object as some relays send it. Its own <c>type</c> is the event name, not an error type.
    /// </summary>
    private void ReadErrorEvent(ReadOnlySpan<byte> json)
    {
        if (!Json.EnterRootObject(json, out var reader))
            return;
        string? code = null, message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Code))
                code = Json.ReadString(ref reader);
            else if (reader.ValueTextEquals(K.Message))
                message = Json.ReadString(ref reader);
            else if (reader.ValueTextEquals(K.Error))
                ReadError(ref reader, codeFirst: true);
            else
                reader.Skip();
        }
        if (code is not null || message is not null)
            Error = Describe(code, message);
        else
            Error ??= "error";
    }
}
