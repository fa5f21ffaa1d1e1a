using System.Buffers;
using System.Text.Json;
using E = Bridgekeeper.Providers.AnthropicMessages.Keys.Events;
using K = Bridgekeeper.Providers.AnthropicMessages.Keys.Utf8;

namespace Bridgekeeper.Providers.AnthropicMessages;

/// <summary>
/// Keeps what the audit needs from Messages stream events and bodies. A body has the shape of <c>message_start</c>'s
/// <c>message</c>, and a body's content blocks the shape of <c>content_block_start</c>'s <c>content_block</c>, so both
/// paths share one reader. Every <c>Read…</c> method below is called with the reader on a property name and consumes
/// that property's value.
/// </summary>
internal sealed class AnthropicMessagesAccumulator : ExchangeAccumulator
{
    private readonly IndexedEntries<AnthropicBlock> _blocks = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private long _input, _output, _cacheRead, _cacheWrite, _cacheWrite1h, _webSearches;
    private bool _usageSeen;

    public ExchangeSummary Summarize()
    {
        var blocks = _blocks.Present.ToList();
        return new ExchangeSummary(
            ResponseId,
            _usageSeen
                ? new TokenUsage(_input, _output, _cacheRead, _cacheWrite, Reasoning: 0) { CacheWrite1h = Math.Min(_cacheWrite1h, _cacheWrite), WebSearches = _webSearches }
                : null,
            [.. blocks.Where(block => block.Kind == AnthropicBlockKind.ToolUse).Select(block => block.ToToolCall())],
            [.. blocks.Where(block => block.Kind == AnthropicBlockKind.Thinking)
                .Select(block => block.ThinkingText()).Where(text => text.Length > 0)
                .Select(text => new Thought(text, "thinking"))],
            Error);
    }

    protected override void ReadEventData(string? eventType, ReadOnlySpan<byte> json)
    {
        switch (eventType ?? AnthropicWire.EventTypeOf(json))
        {
            case E.MessageStart when AnthropicWire.TryEnterRoot(json, K.Message, out var reader):
                ReadMessageProperties(ref reader, json);
                break;
            case E.MessageDelta when AnthropicWire.TryEnterRoot(json, K.Usage, out var reader):
                ReadUsageProperties(ref reader);
                break;
            case E.Error when AnthropicWire.TryEnterRoot(json, K.Error, out var reader):
                ReadErrorProperties(ref reader);
                break;
            case E.ContentBlockStart:
                ReadBlockStart(json);
                break;
            case E.ContentBlockDelta:
                ReadBlockDelta(json);
                break;
        }
    }

    /// <summary>A body is a message, or an error.</summary>
    protected override void ReadBodyProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> json) => ReadMessageProperties(ref reader, json);

    /// <summary>A message's properties (<c>message_start</c>'s <c>message</c>, or a body); the reader is on its start.</summary>
    private void ReadMessageProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Id))
                ReadResponseId(ref reader);
            else if (reader.ValueTextEquals(K.Usage))
                ReadUsage(ref reader);
            else if (reader.ValueTextEquals(K.Error))
                ReadError(ref reader);
            else if (reader.ValueTextEquals(K.Content))
                ReadContent(ref reader, json);
            else
                reader.Skip();
        }
    }

    private void ReadContent(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        if (!Json.EnterArray(ref reader))
            return;
        for (var index = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; index++)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
                _blocks.Set(index, ReadBlockProperties(ref reader, json));
            else
                reader.Skip();
        }
    }

    private void ReadBlockStart(ReadOnlySpan<byte> json)
    {
        if (!Json.EnterRootObject(json, out var reader))
            return;
        long? index = null;
        AnthropicBlock? block = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Index))
                index = Json.ReadLong(ref reader);
            else if (reader.ValueTextEquals(K.ContentBlock))
                block = Json.EnterObject(ref reader) ? ReadBlockProperties(ref reader, json) : null;
            else
                reader.Skip();
        }
        if (index is { } at)
            _blocks.Set(at, block);
    }

    /// <summary>A content block's properties; the reader is on its start. Null for blocks the audit ignores (text, ...).</summary>
    private static AnthropicBlock? ReadBlockProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        AnthropicBlockKind? kind = null;
        string? id = null, name = null, initial = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Type))
                kind = AnthropicWire.BlockKind(ref reader);
            else if (reader.ValueTextEquals(K.Id))
                id = Json.ReadString(ref reader);
            else if (reader.ValueTextEquals(K.Name))
                name = Json.ReadString(ref reader);
            else if (reader.ValueTextEquals(K.Input))
                initial = AnthropicWire.NonEmptyInput(Json.ReadRawText(ref reader, json));
            else if (reader.ValueTextEquals(K.Thinking))
                initial = Json.ReadString(ref reader);
            else
                reader.Skip();
        }
        return kind is { } known ? new AnthropicBlock(known) { Id = id, Name = name, Initial = initial } : null;
    }

    /// <summary>Appends a <c>partial_json</c> or <c>thinking</c> piece to its block. Text deltas (the hot path) end early.</summary>
    private void ReadBlockDelta(ReadOnlySpan<byte> json)
    {
        if (!Json.EnterRootObject(json, out var reader))
            return;
        AnthropicBlock? block = null;
        AnthropicBlockKind? kind = null;
        _scratch.ResetWrittenCount();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Index))
            {
                if ((block = _blocks.At(Json.ReadLong(ref reader))) is null)
                    return;                          // a block the audit ignores
            }
            else if (reader.ValueTextEquals(K.Delta))
            {
                if ((kind = ReadDelta(ref reader)) is null)
                    return;                          // text_delta, signature_delta, citations_delta, ...
            }
            else
            {
                reader.Skip();
            }
        }
        if (block is not null && block.Kind == kind)
            block.Append(_scratch.WrittenSpan);
    }

    /// <summary>Copies a delta's <c>partial_json</c> or <c>thinking</c> piece into the scratch buffer; null for other deltas.</summary>
    private AnthropicBlockKind? ReadDelta(ref Utf8JsonReader reader)
    {
        if (!Json.EnterObject(ref reader))
            return null;
        AnthropicBlockKind? kind = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Type))
            {
                if ((kind = AnthropicWire.DeltaKind(ref reader)) is null)
                    return null;
            }
            else if (reader.ValueTextEquals(K.PartialJson) || reader.ValueTextEquals(K.Thinking))
            {
                Json.AppendString(ref reader, _scratch);
            }
            else
            {
                reader.Skip();
            }
        }
        return kind;
    }

    private void ReadUsage(ref Utf8JsonReader reader)
    {
        if (Json.EnterObject(ref reader))
            ReadUsageProperties(ref reader);
    }

    /// <summary>Newer APIs repeat input and cache figures in <c>message_delta</c>: a later figure replaces, never adds.</summary>
    private void ReadUsageProperties(ref Utf8JsonReader reader)
    {
        _usageSeen = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.InputTokens))
                _input = Json.ReadCount(ref reader) ?? _input;
            else if (reader.ValueTextEquals(K.OutputTokens))
                _output = Json.ReadCount(ref reader) ?? _output;
            else if (reader.ValueTextEquals(K.CacheReadInputTokens))
                _cacheRead = Json.ReadCount(ref reader) ?? _cacheRead;
            else if (reader.ValueTextEquals(K.CacheCreationInputTokens))
                _cacheWrite = Json.ReadCount(ref reader) ?? _cacheWrite;
            else if (reader.ValueTextEquals(K.CacheCreation))
                _cacheWrite1h = Json.ReadNestedLong(ref reader, K.Ephemeral1hInputTokens);     // the 1-hour share of the writes
            else if (reader.ValueTextEquals(K.ServerToolUse))
                _webSearches = Json.ReadNestedLong(ref reader, K.WebSearchRequests);
            else
                reader.Skip();
        }
    }
}
