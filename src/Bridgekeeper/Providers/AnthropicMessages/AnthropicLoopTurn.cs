using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;
using E = Bridgekeeper.Providers.AnthropicMessages.Keys.Events;

namespace Bridgekeeper.Providers.AnthropicMessages;

/// <summary>
/// One turn of the hidden loop on Messages. Content blocks of injected <c>tool_use</c> calls are kept from the client,
/// the blocks it does see are numbered on from earlier turns, only the first turn's <c>message_start</c> goes out, and
/// the closing <c>message_delta</c>/<c>message_stop</c> are held back until the loop knows this turn is the last
/// (then sent with usage summed over every turn). The turn's content events are kept as bytes and only parsed if the
/// loop continues and needs the assistant message.
/// </summary>
internal sealed class AnthropicLoopTurn(LoopState loop) : LoopTurn(loop)
{
    private readonly AnthropicMessagesObserver _audit = new();
    private readonly Dictionary<long, int> _clientIndex = [];
    private readonly List<byte[]> _contentEvents = [];
    private readonly List<ReadOnlyMemory<byte>> _held = [];
    private JsonObject? _heldDelta;
    private JsonObject? _body;
    private bool _rewrote;


    public override TurnAction OnEvent(in SseEvent item)
    {
        _audit.OnEvent(item);
        var data = item.Data.Span;
        switch (item.EventType)
        {
            case E.MessageStart when StartSent:
                return TurnAction.Suppress;
            case E.MessageStart:
                StartSent = true;
                return TurnAction.Forward;
            case E.MessageDelta:
                _heldDelta = UpstreamJson.Parse(data) as JsonObject;
                _held.Add(item.Raw.ToArray());
                return TurnAction.Suppress;
            case E.MessageStop:
                _held.Add(item.Raw.ToArray());
                return TurnAction.Suppress;
            case E.ContentBlockStart or E.ContentBlockDelta or E.ContentBlockStop:
                _contentEvents.Add(data.ToArray());
                return Renumber(item.EventType, data);
            default:
                return TurnAction.Forward;
        }
    }

    /// <summary>Keeps injected tool blocks from the client and numbers the others on from earlier turns.</summary>
    private TurnAction Renumber(string eventType, ReadOnlySpan<byte> data)
    {
        if (!LoopWire.TryFindNumber(data, Keys.Utf8.Index, out var index, out var start, out var length))
            return TurnAction.Forward;
        if (eventType == E.ContentBlockStart)
            _clientIndex[index] = IsInjectedToolUse(data) ? -1 : NextIndex++;
        if (!_clientIndex.TryGetValue(index, out var clientIndex) || clientIndex < 0)
        {
            _rewrote = true;
            return TurnAction.Suppress;
        }
        if (clientIndex == index)
            return TurnAction.Forward;
        _rewrote = true;
        return TurnAction.Replace(LoopWire.Frame(eventType, LoopWire.Splice(data, start, length, clientIndex)));
    }

    private bool IsInjectedToolUse(ReadOnlySpan<byte> data) =>
        UpstreamJson.Parse(data)?[Keys.ContentBlock] is JsonObject block
        && Json.String(block[Keys.Type]) == Keys.ToolUse
        && IsInjected(Json.String(block[Keys.Name]));

    public override void OnBody(ReadOnlySpan<byte> body)
    {
        _audit.OnBody(body);
        _body = UpstreamJson.Parse(body) as JsonObject;
    }

    protected override ExchangeSummary Observed() => _audit.Complete();

    protected override bool AskedOnlyForInjectedTools(ExchangeSummary summary) =>
        Json.String((_body ?? _heldDelta?[Keys.Delta] as JsonObject)?[Keys.StopReason]) == Keys.ToolUse
        && summary.ToolCalls.Count == InjectedCalls.Count && summary.Finished;

    public override IReadOnlyList<ReadOnlyMemory<byte>> FinalFrames()
    {
        if (_heldDelta is null || (Loop.Turn == 1 && !_rewrote))
            return _held;
        SetUsage(_heldDelta);
        return [LoopWire.Frame(E.MessageDelta, LoopWire.Serialize(_heldDelta)), .. _held.Skip(1)];
    }

    public override ReadOnlyMemory<byte> FinalBody(ReadOnlyMemory<byte> lastBody)
    {
        var content = _body?[Keys.Content] as JsonArray;
        if (_body is null || content is null || (Loop.Turn == 1 && !content.Any(IsInjectedBlock)))
            return lastBody;
        JsonArray merged = [.. Loop.EarlierContent.Select(node => node!.DeepClone()), .. VisibleBlocks(content)];
        _body[Keys.Content] = merged;
        if (FirstId is { } id)
            _body[Keys.Id] = id;
        SetUsage(_body);
        return LoopWire.Serialize(_body);
    }

    protected override void AppendToolResults(JsonObject request, IReadOnlyList<ToolOutcome> outcomes) =>
        AnthropicToolLoop.AppendToolResults(request, AssistantContent(), outcomes);

    /// <summary>
    /// The assistant's full content this turn (text, thinking with signatures, every tool_use), for the next request;
    /// its visible blocks are kept for the next turns' <see cref="LoopState.EarlierContent"/>.
    /// </summary>
    private JsonArray AssistantContent()
    {
        if (_body?[Keys.Content] is JsonArray content)
        {
            FirstId ??= Json.String(_body[Keys.Id]);
            Earlier.AddRange(VisibleBlocks(content));
            return (JsonArray)content.DeepClone();
        }
        return AnthropicTurnContent.Rebuild(_contentEvents);
    }

    private IEnumerable<JsonNode> VisibleBlocks(JsonArray content) =>
        content.Where(block => block is not null && !IsInjectedBlock(block)).Select(block => block!.DeepClone());

    private bool IsInjectedBlock(JsonNode? block) =>
        Json.String(Json.Property(block, Keys.Type)) == Keys.ToolUse && IsInjected(Json.String(Json.Property(block, Keys.Name)));

    /// <summary>Usage summed over every turn (input, cache and output), as the client's one response reports it.</summary>
    private void SetUsage(JsonObject holder)
    {
        var total = Total;
        if (holder[Keys.Usage] is not JsonObject usage)
            holder[Keys.Usage] = usage = [];
        usage[Keys.InputTokens] = total.Input;
        usage[Keys.CacheCreationInputTokens] = total.CacheWrite;
        usage[Keys.CacheReadInputTokens] = total.CacheRead;
        usage[Keys.OutputTokens] = total.Output;
    }
}
