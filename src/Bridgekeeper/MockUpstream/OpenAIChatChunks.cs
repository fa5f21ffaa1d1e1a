using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>Builds OpenAI Chat Completions bodies and stream chunks for one response (one id, one timestamp, one id per tool call).</summary>
internal sealed class OpenAIChatChunks(string model, bool includeUsage, long created, int toolCalls = 0)
{
    public const string SystemFingerprint = "fp_5ba9b1ac0e";

    public string Id { get; } = MockText.NewId("chatcmpl-", 29);

    /// <summary>The tier every chunk and the body report (<see cref="MockReply.ServiceTier"/>).</summary>
    public string ServiceTier { get; init; } = "default";

    /// <summary>The id of each tool call, by its index.</summary>
    public IReadOnlyList<string> ToolCallIds { get; } = [.. Enumerable.Range(0, toolCalls).Select(_ => MockText.NewId("call_", 24))];

    /// <summary>A <c>chat.completion.chunk</c> with one choice; <c>"usage":null</c> when the client asked for usage.</summary>
    public JsonObject Chunk(JsonObject delta, string? finishReason = null)
    {
        var chunk = Head(K.ChatCompletionChunk);
        chunk[K.Choices] = new JsonArray(new JsonObject
        {
            [K.Index] = 0,
            [K.Delta] = delta,
            [K.Logprobs] = null,
            [K.FinishReason] = finishReason,
        });
        if (includeUsage)
            chunk[K.Usage] = null;
        return chunk;
    }

    /// <summary>The usage-only chunk after the finish chunk: <c>"choices":[]</c>.</summary>
    public JsonObject UsageChunk(MockUsage usage)
    {
        var chunk = Head(K.ChatCompletionChunk);
        chunk[K.Choices] = new JsonArray();
        chunk[K.Usage] = Usage(usage);
        return chunk;
    }

    public static JsonObject RoleDelta(bool forToolCall) => new()
    {
        [K.Role] = K.Assistant,
        [K.Content] = forToolCall ? null : "",
        [K.Refusal] = null,
    };

    public static JsonObject ContentDelta(string text) => new() { [K.Content] = text };

    public static JsonObject ToolStartDelta(int index, string id, string name, JsonObject? roleDelta)
    {
        var delta = roleDelta ?? [];
        delta[K.ToolCalls] = new JsonArray(new JsonObject
        {
            [K.Index] = index,
            [K.Id] = id,
            [K.Type] = K.Function,
            [K.Function] = new JsonObject { [K.Name] = name, [K.Arguments] = "" },
        });
        return delta;
    }

    public static JsonObject ToolArgumentsDelta(int index, string piece) => new()
    {
        [K.ToolCalls] = new JsonArray(new JsonObject
        {
            [K.Index] = index,
            [K.Function] = new JsonObject { [K.Arguments] = piece },
        }),
    };

    /// <summary>A blocking <c>chat.completion</c>; with <paramref name="toolCalls"/> (ids from <see cref="ToolCallIds"/>), finish reason <c>tool_calls</c>.</summary>
    public JsonObject Completion(string? text, IReadOnlyList<MockToolCall>? toolCalls, MockUsage usage)
    {
        var message = new JsonObject { [K.Role] = K.Assistant, [K.Content] = text };
        if (toolCalls is not null)
            message[K.ToolCalls] = new JsonArray([.. toolCalls.Select((call, index) => (JsonNode)new JsonObject
            {
                [K.Id] = ToolCallIds[index],
                [K.Type] = K.Function,
                [K.Function] = new JsonObject { [K.Name] = call.Name, [K.Arguments] = call.Arguments },
            })]);
        message[K.Refusal] = null;
        message[K.Annotations] = new JsonArray();
        var completion = new JsonObject
        {
            [K.Id] = Id,
            [K.Object] = K.ChatCompletion,
            [K.Created] = created,
            [K.Model] = model,
            [K.Choices] = new JsonArray(new JsonObject
            {
                [K.Index] = 0,
                [K.Message] = message,
                [K.Logprobs] = null,
                [K.FinishReason] = toolCalls is null ? "stop" : K.ToolCalls,
            }),
            [K.Usage] = Usage(usage),
            [K.ServiceTier] = ServiceTier,
            [K.SystemFingerprint] = SystemFingerprint,
        };
        return completion;
    }

    public static JsonObject Usage(MockUsage usage) => new()
    {
        [K.PromptTokens] = usage.PromptTokens,
        [K.CompletionTokens] = usage.Output,
        [K.TotalTokens] = usage.PromptTokens + usage.Output,
        [K.PromptTokensDetails] = new JsonObject { [K.CachedTokens] = usage.CacheRead, [K.AudioTokens] = 0 },
        [K.CompletionTokensDetails] = new JsonObject
        {
            [K.ReasoningTokens] = usage.Reasoning,
            [K.AudioTokens] = 0,
            [K.AcceptedPredictionTokens] = 0,
            [K.RejectedPredictionTokens] = 0,
        },
    };

    private JsonObject Head(string objectType) => new()
    {
        [K.Id] = Id,
        [K.Object] = objectType,
        [K.Created] = created,
        [K.Model] = model,
        [K.ServiceTier] = ServiceTier,
        [K.SystemFingerprint] = SystemFingerprint,
    };
}
