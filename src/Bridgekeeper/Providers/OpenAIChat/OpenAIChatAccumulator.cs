using System.Buffers;
using System.Text.Json;
using K = Bridgekeeper.Providers.OpenAIChat.Keys.Utf8;

namespace Bridgekeeper.Providers.OpenAIChat;

/// <summary>
/// Keeps what the audit needs from Chat Completions chunks and bodies. A stream chunk's <c>choices[].delta</c> and a
/// body's <c>choices[].message</c> have the same shape for our purpose, so one reader serves both. Every <c>Read…</c>
/// method below is called with the reader on a property name and consumes that property's value.
/// </summary>
internal sealed class OpenAIChatAccumulator : ExchangeAccumulator
{
    private readonly List<OpenAIToolCallBuilder> _toolCalls = [];
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private TokenUsage? _usage;
    private string? _serviceTier;

    /// <summary>What the last chunk read was (<see cref="ChunkKind.Other"/> when it could not be read).</summary>
    public ChunkKind LastChunk { get; private set; }

    public ExchangeSummary Summarize() =>
        new(ResponseId, _usage is { } usage ? usage with { ServiceTier = _serviceTier } : null, [.. _toolCalls.Select(call => call.ToToolCall())], [], Error);

    /// <summary>A chunk has a body's shape.</summary>
    protected override void ReadEventData(string? eventType, ReadOnlySpan<byte> json)
    {
        LastChunk = ChunkKind.Other;
        if (Json.EnterRootObject(json, out var reader))
            LastChunk = ReadChunkProperties(ref reader);
    }

    protected override void ReadBodyProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> json) => ReadChunkProperties(ref reader);

    private ChunkKind ReadChunkProperties(ref Utf8JsonReader reader)
    {
        var choices = 0;
        var hasUsage = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Id))
                ReadResponseId(ref reader);
            else if (reader.ValueTextEquals(K.Choices))
                choices = ReadChoices(ref reader);
            else if (reader.ValueTextEquals(K.Usage))
                hasUsage = ReadUsage(ref reader);
            else if (reader.ValueTextEquals(K.Error))
                ReadError(ref reader);
            else if (reader.ValueTextEquals(K.ServiceTier))
                _serviceTier = OpenAIUsage.ReadServiceTier(ref reader) ?? _serviceTier;
            else
                reader.Skip();
        }
        return choices == 0 && hasUsage ? ChunkKind.UsageOnly : ChunkKind.Other;
    }

    private int ReadChoices(ref Utf8JsonReader reader)
    {
        if (!Json.EnterArray(ref reader))
            return 0;
        var count = 0;
        for (; reader.Read() && reader.TokenType != JsonTokenType.EndArray; count++)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
                ReadChoiceProperties(ref reader);
            else
                reader.Skip();
        }
        return count;
    }

    private void ReadChoiceProperties(ref Utf8JsonReader reader)
    {
        var choice = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Index))
                choice = (int)(Json.ReadLong(ref reader) ?? 0);
            else if (reader.ValueTextEquals(K.Delta) || reader.ValueTextEquals(K.Message))
                ReadMessage(ref reader, choice);
            else
                reader.Skip();
        }
    }

    private void ReadMessage(ref Utf8JsonReader reader, int choice)
    {
        if (!Json.EnterObject(ref reader))
            return;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.ToolCalls) && Json.EnterArray(ref reader))
            {
                for (var position = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; position++)
                    ReadToolCall(ref reader, choice, position);
            }
            else
            {
                reader.Skip();                       // also harmless after a failed EnterArray: the value was skipped
            }
        }
    }

    /// <summary>
    /// One <c>tool_calls</c> entry; the reader is on it. Streamed entries carry <c>index</c>; a body's use their position.
    /// </summary>
    private void ReadToolCall(ref Utf8JsonReader reader, int choice, int position)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        long? index = null;
        string? id = null, name = null;
        _scratch.ResetWrittenCount();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Index))
                index = Json.ReadLong(ref reader);
            else if (reader.ValueTextEquals(K.Id))
                id = Json.ReadString(ref reader);
            else if (reader.ValueTextEquals(K.Function))
                name = ReadFunction(ref reader);
            else
                reader.Skip();
        }

        var call = ToolCallAt(choice, (int)(index ?? position));
        call.Id ??= id;
        call.Name ??= name;
        call.AppendArguments(_scratch.WrittenSpan);
    }

    /// <summary>Returns the function's name; its <c>arguments</c> piece goes, unescaped, into the scratch buffer.</summary>
    private string? ReadFunction(ref Utf8JsonReader reader)
    {
        string? name = null;
        if (!Json.EnterObject(ref reader))
            return name;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(K.Name))
                name = Json.ReadString(ref reader);
            else if (reader.ValueTextEquals(K.Arguments))
                Json.AppendString(ref reader, _scratch);
            else
                reader.Skip();
        }
        return name;
    }

    private OpenAIToolCallBuilder ToolCallAt(int choice, int index)
    {
        foreach (var call in _toolCalls)
            if (call.Choice == choice && call.Index == index)
                return call;
        var created = new OpenAIToolCallBuilder(choice, index);
        _toolCalls.Add(created);
        return created;
    }

    /// <summary>Reads a <c>usage</c> value (SPEC §5: input excludes cached tokens); returns whether it was an object.</summary>
    private bool ReadUsage(ref Utf8JsonReader reader)
    {
        if (OpenAIUsage.Read(ref reader, K.PromptTokens, K.CompletionTokens, K.PromptTokensDetails, K.CompletionTokensDetails) is not { } usage)
            return false;
        _usage = usage;
        return true;
    }
}
