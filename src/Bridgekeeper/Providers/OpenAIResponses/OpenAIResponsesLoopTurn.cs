using System.Text.Json;
using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;
using E = Bridgekeeper.Providers.OpenAIResponses.Keys.Events;
using IT = Bridgekeeper.Providers.OpenAIResponses.Keys.ItemTypes;

namespace Bridgekeeper.Providers.OpenAIResponses;

/// <summary>
/// One turn of the hidden loop on Responses. Output items that are calls of injected tools are kept from the client
/// (their <c>output_item</c> events and every event of their <c>output_index</c>/<c>item_id</c>); the items it does see
/// are numbered on from earlier turns; only the first turn's <c>response.created</c>/<c>response.in_progress</c> go out;
/// <c>sequence_number</c>s run on across the whole client stream; and the closing <c>response.completed</c> (or
/// <c>.incomplete</c>) is held back until the loop knows this turn is the last, then sent with the first id, every
/// client-visible item of every turn in <c>output</c>, and usage summed over the turns. Values are spliced into the
/// upstream's bytes only where they differ, so a lone turn with nothing injected relays the upstream's exact bytes.
/// Only the <c>output_item</c> events are parsed whole; every other event is scanned at its top level.
/// </summary>
internal sealed class OpenAIResponsesLoopTurn(LoopState loop) : LoopTurn(loop)
{
    private readonly OpenAIResponsesObserver _audit = new();
    private readonly bool _first = loop.Turn == 1;
    private readonly Dictionary<long, int> _clientIndex = [];
    private readonly HashSet<string> _injectedItems = [];
    private readonly HashSet<long> _clientCalls = [];
    private readonly SortedDictionary<long, JsonObject> _items = [];
    private (string? EventLine, byte[] Raw, byte[] Data)? _held;
    private string? _ending;
    private JsonObject? _body;
    private bool _rewrote;


    public override TurnAction OnEvent(in SseEvent item)
    {
        _audit.OnEvent(item);
        var data = item.Data.Span;
        if (data.IsEmpty)
            return TurnAction.Forward;                    // a comment or keep-alive frame
        switch (item.EventType ?? EventTypeOf(data))
        {
            case E.Created or E.InProgress when !_first:
                return TurnAction.Suppress;
            case E.Created:
                FirstId ??= ResponseIdOf(data);
                return StripToolEcho(item.EventType, data);
            case E.InProgress:
                return StripToolEcho(item.EventType, data);
            case (E.Completed or E.Incomplete) and var ending:
                _ending = ending;
                _held = (item.EventType, item.Raw.ToArray(), data.ToArray());
                return TurnAction.Suppress;
            case E.Failed:
                _ending = E.Failed;
                if (!_first)
                    return ReplaceLifecycle(item.EventType, data);
                break;
            case E.OutputItemAdded:
                ReadItem(data, done: false);
                break;
            case E.OutputItemDone:
                ReadItem(data, done: true);
                break;
        }
        return Renumber(item.EventType, data);
    }

    /// <summary>Keeps the events of injected calls from the client and renumbers the others for the client's one stream.</summary>
    private TurnAction Renumber(string? eventLine, ReadOnlySpan<byte> data)
    {
        var fields = ResponsesEventFields.Read(data, readItemId: _injectedItems.Count > 0);
        int? clientIndex = fields.OutputIndex.Found && _clientIndex.TryGetValue(fields.OutputIndex.Value, out var mapped) ? mapped : null;
        if (clientIndex < 0 || fields.ItemId is { } itemId && _injectedItems.Contains(itemId))
        {
            _rewrote = true;
            return TurnAction.Suppress;
        }

        Splices? splices = null;
        if (fields.Sequence.Found)
        {
            var sequence = ClientSequence(fields.Sequence.Value);
            if (sequence != fields.Sequence.Value)
                (splices ??= new()).Number(fields.Sequence, sequence);
        }
        if (clientIndex is { } index && index != fields.OutputIndex.Value)
            (splices ??= new()).Number(fields.OutputIndex, index);
        if (!_first && fields.ResponseId.Found && FirstId is { } firstId && fields.ResponseId.Text != firstId)
            (splices ??= new()).String(fields.ResponseId, firstId);
        if (splices is null)
            return TurnAction.Forward;
        return TurnAction.Replace(LoopWire.Frame(eventLine, splices.Apply(data)));
    }

    /// <summary>
    /// The client's number for this event: the upstream's own while the first turn has changed nothing (so its bytes
    /// stay untouched), then one more than the last number the client was sent.
    /// </summary>
    private long ClientSequence(long upstream)
    {
        var sequence = _first && !_rewrote ? upstream : NextSequence;
        NextSequence = sequence + 1;
        return sequence;
    }

    /// <summary>A later turn's <c>response.failed</c>: sent with the first id and the client's sequence number.</summary>
    private TurnAction ReplaceLifecycle(string? eventLine, ReadOnlySpan<byte> data)
    {
        if (UpstreamJson.Parse(data) is not JsonObject e)
            return Renumber(eventLine, data);
        _rewrote = true;
        if (e[Keys.SequenceNumber] is not null)
            e[Keys.SequenceNumber] = ClientSequence(-1);
        if (e[Keys.Response] is JsonObject response && FirstId is { } firstId)
            response[Keys.Id] = firstId;
        return TurnAction.Replace(LoopWire.Frame(eventLine, LoopWire.Serialize(e)));
    }

    /// <summary>
    /// <c>response.output_item.added</c>/<c>.done</c>: the first sight of an output index decides whether the item is
    /// an injected call (kept from the client) or gets the client's next index; a done item is kept whole.
    /// </summary>
    private void ReadItem(ReadOnlySpan<byte> data, bool done)
    {
        if (UpstreamJson.Parse(data) is not JsonObject e || e[Keys.Item] is not JsonObject item
            || e[Keys.OutputIndex] is not JsonValue indexValue || !indexValue.TryGetValue<long>(out var index))
            return;
        Classify(index, item);
        if (done)
            _items[index] = item;
    }

    private void Classify(long index, JsonObject item)
    {
        if (IsInjectedCall(item))
        {
            _clientIndex.TryAdd(index, -1);
            if (Json.String(item[Keys.Id]) is { } id)
                _injectedItems.Add(id);
            return;
        }
        if (!_clientIndex.ContainsKey(index))
            _clientIndex[index] = NextIndex++;
        if (Json.String(item[Keys.Type]) is IT.FunctionCall or IT.CustomToolCall)
            _clientCalls.Add(index);
    }

    public override void OnBody(ReadOnlySpan<byte> body)
    {
        _audit.OnBody(body);
        _body = UpstreamJson.Parse(body) as JsonObject;
        if (_body is null)
            return;
        FirstId ??= Json.String(_body[Keys.Id]);
        _ending = Json.String(_body[Keys.Status]) is { } status and not Keys.Completed ? status : E.Completed;
        if (_body[Keys.Output] is JsonArray output)
            for (var index = 0; index < output.Count; index++)
                if (output[index] is JsonObject item)
                    Classify(index, item);
    }

    protected override ExchangeSummary Observed() => _audit.Complete();

    protected override bool AskedOnlyForInjectedTools(ExchangeSummary summary) =>
        _ending == E.Completed && _clientCalls.Count == 0 && summary.Finished && summary.Error is null;

    public override IReadOnlyList<ReadOnlyMemory<byte>> FinalFrames()
    {
        if (_held is not { } held)
            return [];
        if (UpstreamJson.Parse(held.Data) is not JsonObject e)
            return [held.Raw];
        var stripped = StripInjectedTools(e[Keys.Response] as JsonObject);
        if (_first && !_rewrote)
            return [stripped ? LoopWire.Frame(held.EventLine, LoopWire.Serialize(e)) : held.Raw];
        if (e[Keys.SequenceNumber] is not null)
            e[Keys.SequenceNumber] = ClientSequence(-1);
        if (e[Keys.Response] is JsonObject response)
        {
            if (FirstId is { } firstId)
                response[Keys.Id] = firstId;
            response[Keys.Output] = Merged(_items.Values);
            SetUsage(response);
        }
        return [LoopWire.Frame(held.EventLine, LoopWire.Serialize(e))];
    }

    public override ReadOnlyMemory<byte> FinalBody(ReadOnlyMemory<byte> lastBody)
    {
        var stripped = StripInjectedTools(_body);
        if (_body?[Keys.Output] is not JsonArray output || _first && !output.Any(IsInjectedCall))
            return stripped ? LoopWire.Serialize(_body!) : lastBody;
        _body[Keys.Output] = Merged(output);
        if (FirstId is { } firstId)
            _body[Keys.Id] = firstId;
        SetUsage(_body);
        return LoopWire.Serialize(_body);
    }

    protected override void AppendToolResults(JsonObject request, IReadOnlyList<ToolOutcome> outcomes) =>
        OpenAIResponsesToolLoop.AppendToolResults(request, TakeOutput(), outcomes);

    /// <summary>
    /// Every output item of this turn as the model returned it (reasoning with <c>encrypted_content</c>, messages, the
    /// injected calls), for the next request; the client-visible ones are kept for the final <c>output</c>.
    /// </summary>
    private List<JsonObject> TakeOutput()
    {
        IEnumerable<JsonObject> items = _body?[Keys.Output] is JsonArray output ? output.OfType<JsonObject>() : _items.Values;
        var all = items.ToList();
        Earlier.AddRange(Visible(all));
        return [.. all.Select(item => (JsonObject)item.DeepClone())];
    }

    /// <summary>The client-visible items of earlier turns, then this turn's.</summary>
    private JsonArray Merged(IEnumerable<JsonNode?> items) => [.. Loop.EarlierContent.Select(node => node?.DeepClone()), .. Visible(items)];

    private IEnumerable<JsonNode> Visible(IEnumerable<JsonNode?> items) =>
        items.Where(item => item is not null && !IsInjectedCall(item)).Select(item => item!.DeepClone());

    private bool IsInjectedCall(JsonNode? item) =>
        Json.String(Json.Property(item, Keys.Type)) == IT.FunctionCall
        && IsInjected(Json.String(Json.Property(item, Keys.Name)));

    /// <summary>Usage summed over every turn, as the client's one response reports it (<c>input_tokens</c> includes the cached ones).</summary>
    private void SetUsage(JsonObject response)
    {
        var total = Total;
        if (response[Keys.Usage] is not JsonObject usage)
            response[Keys.Usage] = usage = [];
        var input = total.Input + total.CacheRead;
        usage[Keys.InputTokens] = input;
        Detail(usage, Keys.InputTokensDetails)[Keys.CachedTokens] = total.CacheRead;
        usage[Keys.OutputTokens] = total.Output;
        Detail(usage, Keys.OutputTokensDetails)[Keys.ReasoningTokens] = total.Reasoning;
        usage[Keys.TotalTokens] = input + total.Output;
    }

    private static JsonObject Detail(JsonObject usage, string key)
    {
        if (usage[key] is not JsonObject detail)
            usage[key] = detail = [];
        return detail;
    }

    /// <summary>
    /// Response objects echo the request's <c>tools</c>; the injected ones are removed there too, so the client never
    /// learns of tools it did not declare. Events without injected tools in their echo keep their bytes.
    /// </summary>
    private TurnAction StripToolEcho(string? eventLine, ReadOnlySpan<byte> data)
    {
        if (UpstreamJson.Parse(data) is not JsonObject e || !StripInjectedTools(e[Keys.Response] as JsonObject))
            return Renumber(eventLine, data);
        return TurnAction.Replace(LoopWire.Frame(eventLine, LoopWire.Serialize(e)));
    }

    private bool StripInjectedTools(JsonObject? response)
    {
        if (response?[Keys.Tools] is not JsonArray tools)
            return false;
        var injected = tools.Where(tool => IsInjected(Json.String(Json.Property(tool, Keys.Name)))).ToList();
        foreach (var tool in injected)
            tools.Remove(tool);
        return injected.Count > 0;
    }

    /// <summary>The data's own <c>type</c>, for frames without an <c>event:</c> line; null when the data is not JSON we can read.</summary>
    private static string? EventTypeOf(ReadOnlySpan<byte> data)
    {
        try
        {
            return ResponsesWire.EventTypeOf(data);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return null;                             // truncated, or a name that cannot be decoded: relayed as it came
        }
    }

    private static string? ResponseIdOf(ReadOnlySpan<byte> data) => Json.String(Json.Property(Json.Property(UpstreamJson.Parse(data), Keys.Response), Keys.Id));

}
