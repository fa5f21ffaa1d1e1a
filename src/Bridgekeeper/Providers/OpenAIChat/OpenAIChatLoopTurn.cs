using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers.OpenAIChat;

/// <summary>
/// One turn of the hidden loop on Chat Completions. Deltas of injected <c>tool_calls</c> are kept from the client (a
/// chunk mixing them with client parts is rewritten without them, one left empty is dropped), client calls keep
/// consecutive <c>index</c> values over the whole response, every chunk carries the first turn's <c>id</c>, and later
/// turns' role chunk is dropped. The finish chunk, the usage-only chunk and <c>[DONE]</c> are held back until the loop
/// knows this turn is the last (then sent with usage summed over every turn). A chunk nothing touches goes out as its
/// own bytes; one whose only change is the id has the id spliced in.
/// </summary>
internal sealed class OpenAIChatLoopTurn(RequestFacts facts, LoopState loop) : LoopTurn(loop)
{
    private enum Held
    {
        Finish,
        Usage,
        Done,

        /// <summary>A comment after a held frame: held too, so a one-turn exchange keeps the upstream's order.</summary>
        Comment,
    }

    private readonly OpenAIChatObserver _audit = new(facts);
    private readonly Dictionary<(long Choice, long Index), int> _clientIndex = [];
    private readonly StringBuilder _text = new();
    private readonly List<(Held Kind, byte[] Raw, JsonObject? Chunk)> _held = [];
    private JsonObject? _body;
    private string? _finishReason;
    private byte[]? _encodedFirstId;


    public override TurnAction OnEvent(in SseEvent item)
    {
        var audit = _audit.OnEvent(item);
        var data = item.Data.Span;
        if (data.IsEmpty && _held.Count > 0)
        {
            _held.Add((Held.Comment, item.Raw.ToArray(), null));
            return TurnAction.Suppress;
        }
        if (data.IsEmpty)
            return TurnAction.Of(audit);                            // comments and blank frames
        if (data.SequenceEqual(Keys.Utf8.Done))
        {
            _held.Add((Held.Done, item.Raw.ToArray(), null));
            return TurnAction.Suppress;
        }
        if (UpstreamJson.Parse(data) is not JsonObject chunk)
            return TurnAction.Of(audit);                            // not JSON: relayed as it came

        var id = Json.String(chunk[Keys.Id]);
        FirstId ??= id;
        if (chunk[Keys.Choices] is not JsonArray { Count: > 0 } choices)
        {
            if (chunk[Keys.Usage] is not JsonObject)
                return WithFirstId(data, chunk, id); // e.g. a mid-stream error
            _held.Add((Held.Usage, item.Raw.ToArray(), chunk));
            return TurnAction.Suppress;
        }

        var changed = false;
        var finishing = false;
        for (var position = 0; position < choices.Count; position++)
        {
            if (choices[position] is not JsonObject choice)
                continue;
            if (choice[Keys.Delta] is JsonObject delta)
                changed |= Filter(delta, Number(choice[Keys.Index]) ?? position);
            if (Json.String(choice[Keys.FinishReason]) is { } reason)
            {
                _finishReason ??= reason;
                finishing = true;
            }
        }
        if (finishing)
            return HoldFinish(item, chunk, choices, changed);
        if (!changed)
            return WithFirstId(data, chunk, id);
        return choices.All(choice => IsEmpty(Json.Property(choice, Keys.Delta) as JsonObject)) ? TurnAction.Suppress : Replace(chunk);
    }

    /// <summary>
    /// Drops injected tool-call deltas, renumbers client ones, drops a later turn's <c>role</c> and keeps the text for
    /// the next request. Returns whether the delta changed.
    /// </summary>
    private bool Filter(JsonObject delta, long choice)
    {
        if (choice == 0 && Json.String(delta[Keys.Content]) is { } text)
            _text.Append(text);
        var changed = Loop.Turn > 1 && delta.Remove(Keys.Role);
        if (delta[Keys.ToolCalls] is not JsonArray calls)
            return changed;

        List<JsonNode> injected = [];
        for (var position = 0; position < calls.Count; position++)
        {
            if (calls[position] is not JsonObject call)
                continue;
            var index = Number(call[Keys.Index]) ?? position;
            if (!_clientIndex.TryGetValue((choice, index), out var clientIndex))
                _clientIndex[(choice, index)] = clientIndex = IsInjectedCall(call) ? -1 : NextIndex++;
            if (clientIndex < 0)
            {
                injected.Add(call);
            }
            else if (clientIndex != index)
            {
                call[Keys.Index] = clientIndex;
                changed = true;
            }
        }
        foreach (var call in injected)
            calls.Remove(call);
        if (injected.Count > 0 && calls.Count == 0)
            delta.Remove(Keys.ToolCalls);
        return changed || injected.Count > 0;
    }

    /// <summary>
    /// Holds the finish chunk. When its delta still carries something for the client (some upstreams send the last text
    /// or calls with the finish), that part goes out now and a finish-only copy is held.
    /// </summary>
    private TurnAction HoldFinish(in SseEvent item, JsonObject chunk, JsonArray choices, bool changed)
    {
        if (!choices.Any(choice => HasPayload(Json.Property(choice, Keys.Delta) as JsonObject)))
        {
            _held.Add((Held.Finish, changed ? LoopWire.Frame(null, LoopWire.Serialize(chunk)) : item.Raw.ToArray(), chunk));
            return TurnAction.Suppress;
        }
        var content = (JsonObject)chunk.DeepClone();
        foreach (var choice in (JsonArray)content[Keys.Choices]!)
            if (choice is JsonObject open)
                open[Keys.FinishReason] = null;
        if (content[Keys.Usage] is JsonObject)
            content[Keys.Usage] = null;
        foreach (var choice in choices)
            if (choice is JsonObject closing && closing.ContainsKey(Keys.Delta))
                closing[Keys.Delta] = new JsonObject();
        _held.Add((Held.Finish, LoopWire.Frame(null, LoopWire.Serialize(chunk)), chunk));
        return Replace(content);
    }

    /// <summary>Forwards a chunk untouched, or with the first turn's id spliced in when its own differs.</summary>
    private TurnAction WithFirstId(ReadOnlySpan<byte> data, JsonObject chunk, string? id)
    {
        if (id is null || FirstId is null || id == FirstId)
            return TurnAction.Forward;
        if (!TryFindString(data, "id"u8, out var start, out var length))
            return Replace(chunk);
        _encodedFirstId ??= Json.Write(FirstId, static (writer, id) => writer.WriteStringValue(id));
        return TurnAction.Replace(LoopWire.Frame(null, [.. data[..start], .. _encodedFirstId, .. data[(start + length)..]]));
    }

    private TurnAction Replace(JsonObject chunk)
    {
        SetFirstId(chunk);
        return TurnAction.Replace(LoopWire.Frame(null, LoopWire.Serialize(chunk)));
    }

    private void SetFirstId(JsonObject chunk)
    {
        if (FirstId is { } id && chunk.ContainsKey(Keys.Id))
            chunk[Keys.Id] = id;
    }

    public override void OnBody(ReadOnlySpan<byte> body)
    {
        _audit.OnBody(body);
        _body = UpstreamJson.Parse(body) as JsonObject;
        FirstId ??= Json.String(_body?[Keys.Id]);
    }

    protected override ExchangeSummary Observed() => _audit.Complete();

    protected override bool AskedOnlyForInjectedTools(ExchangeSummary summary)
    {
        var finishReason = _body is null ? _finishReason : Json.String(Json.Property(FirstChoice(_body), Keys.FinishReason));
        var finished = summary.Finished || _finishReason is not null;
        return finishReason == Keys.ToolCalls && summary.ToolCalls.Count == InjectedCalls.Count && finished && summary.Error is null;
    }

    public override IReadOnlyList<ReadOnlyMemory<byte>> FinalFrames()
    {
        if (Loop.Turn == 1)                          // one turn: the id and usage are the upstream's own
            return [.. _held.Where(held => held.Kind != Held.Usage || facts.ClientWantsUsage).Select(held => (ReadOnlyMemory<byte>)held.Raw)];

        var total = Total;
        List<ReadOnlyMemory<byte>> frames = [];
        foreach (var (kind, raw, chunk) in _held)
        {
            if (kind is Held.Done or Held.Comment)
            {
                frames.Add(raw);
                continue;
            }
            if (kind == Held.Usage && !facts.ClientWantsUsage)
                continue;
            SetFirstId(chunk!);
            if (chunk![Keys.Usage] is JsonObject usage)
                SetUsage(usage, total);
            frames.Add(LoopWire.Frame(null, LoopWire.Serialize(chunk)));
        }
        return frames;
    }

    public override ReadOnlyMemory<byte> FinalBody(ReadOnlyMemory<byte> lastBody)
    {
        if (_body is null || Json.Property(FirstChoice(_body), Keys.Message) is not JsonObject message)
            return lastBody;
        var calls = message[Keys.ToolCalls] as JsonArray;
        var injected = calls?.Where(IsInjectedCall).ToList() ?? [];
        if (Loop.Turn == 1 && injected.Count == 0)
            return lastBody;

        foreach (var call in injected)
            calls!.Remove(call);
        if (injected.Count > 0 && calls!.Count == 0)
            message.Remove(Keys.ToolCalls);
        if (Loop.EarlierContent.Count > 0)
        {
            var texts = Loop.EarlierContent.Select(Json.String).Append(Json.String(message[Keys.Content])).OfType<string>();
            message[Keys.Content] = string.Concat(texts);
        }
        SetFirstId(_body);
        if (_body[Keys.Usage] is not JsonObject usage)
            _body[Keys.Usage] = usage = [];
        SetUsage(usage, Total);
        return LoopWire.Serialize(_body);
    }

    protected override void AppendToolResults(JsonObject request, IReadOnlyList<ToolOutcome> outcomes) =>
        OpenAIChatToolLoop.AppendToolResults(request, AssistantMessage(), outcomes);

    /// <summary>
    /// The assistant message of this turn for the next request: its text (null when none) and the injected calls. The
    /// text is also kept for the next turns' <see cref="LoopState.EarlierContent"/>, for a blocking final body.
    /// </summary>
    private JsonObject AssistantMessage()
    {
        var text = _body is not null
            ? Json.String(Json.Property(Json.Property(FirstChoice(_body), Keys.Message), Keys.Content))
            : _text.Length > 0 ? _text.ToString() : null;
        if (!string.IsNullOrEmpty(text))
            Earlier.Add(JsonValue.Create(text));
        return new JsonObject
        {
            [Keys.Role] = Keys.Assistant,
            [Keys.Content] = string.IsNullOrEmpty(text) ? null : text,
            [Keys.ToolCalls] = new JsonArray([.. InjectedCalls.Select(call => (JsonNode)new JsonObject
            {
                [Keys.Id] = call.Id,
                [Keys.Type] = Keys.Function,
                [Keys.Function] = new JsonObject { [Keys.Name] = call.Name, [Keys.Arguments] = call.Arguments },
            })]),
        };
    }

    /// <summary>Usage summed over every turn, in Chat Completions' fields (prompt tokens include the cached ones).</summary>
    private static void SetUsage(JsonObject usage, TokenUsage total)
    {
        var prompt = total.Input + total.CacheRead;
        usage[Keys.PromptTokens] = prompt;
        usage[Keys.CompletionTokens] = total.Output;
        usage[Keys.TotalTokens] = prompt + total.Output;
        SetDetail(usage, Keys.PromptTokensDetails, Keys.CachedTokens, total.CacheRead);
        SetDetail(usage, Keys.CompletionTokensDetails, Keys.ReasoningTokens, total.Reasoning);
    }

    private static void SetDetail(JsonObject usage, string details, string key, long value)
    {
        if (usage[details] is JsonObject holder)
            holder[key] = value;
        else if (value > 0)
            usage[details] = new JsonObject { [key] = value };
    }

    private bool IsInjectedCall(JsonNode? call) =>
        IsInjected(Json.String(Json.Property(Json.Property(call, Keys.Function), Keys.Name)));

    /// <summary>Nothing the client needs: every value null, or an empty text (a remaining <c>role</c> counts).</summary>
    private static bool IsEmpty(JsonObject? delta) =>
        delta is null || delta.All(property => property.Value is null || (property.Key == Keys.Content && Json.String(property.Value) == ""));

    /// <summary>Something besides the role and an empty text: text, tool calls, a refusal, reasoning.</summary>
    private static bool HasPayload(JsonObject? delta) =>
        delta is not null && delta.Any(property => property.Key != Keys.Role && property.Value is not null
            && !(property.Key == Keys.Content && Json.String(property.Value) == ""));

    private static JsonNode? FirstChoice(JsonObject body) => body[Keys.Choices] is JsonArray { Count: > 0 } choices ? choices[0] : null;

    private static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;


    /// <summary>Where the value (quotes included) of a top-level string property sits in <paramref name="json"/>.</summary>
    private static bool TryFindString(ReadOnlySpan<byte> json, ReadOnlySpan<byte> property, out int start, out int length)
    {
        (start, length) = (0, 0);
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(property);
                reader.Read();
                if (match && reader.TokenType == JsonTokenType.String)
                {
                    (start, length) = ((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);
                    return true;
                }
                reader.Skip();
            }
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Malformed, or a property name that cannot be decoded: no id to splice.
        }
        return false;
    }
}
