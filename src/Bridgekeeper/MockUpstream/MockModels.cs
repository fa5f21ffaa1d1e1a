using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>The model lists the mock serves. Any id is found: an unknown one is described with generic figures.</summary>
internal static class MockModels
{
    public const string DefaultOpenAIModel = "gpt-4o-mini";
    public const string DefaultAnthropicModel = "claude-sonnet-4-5-20250929";

    /// <summary>Completions for this model answer 404 in the provider's shape, on every API.</summary>
    public const string MissingModel = "does-not-exist";

    private static readonly (string Id, long Created)[] OpenAIModels =
    [
        (DefaultOpenAIModel, 1721172741),
        ("gpt-4o", 1715367049),
        ("gpt-4.1", 1744316542),
        ("o4-mini", 1744225351),
    ];

    private static readonly (string Id, string DisplayName, string CreatedAt)[] AnthropicModels =
    [
        (DefaultAnthropicModel, "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
        ("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15T00:00:00Z"),
        ("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"),
    ];

    public static JsonObject OpenAIList()
    {
        var data = new JsonArray();
        foreach (var (id, created) in OpenAIModels)
            data.Add(OpenAIModel(id, created));
        return new JsonObject { [K.Object] = K.List, [K.Data] = data };
    }

    public static JsonObject OpenAIModel(string id)
    {
        var known = Array.Find(OpenAIModels, model => model.Id == id);
        return OpenAIModel(id, known.Id is null ? 1700000000 : known.Created);
    }

    public static JsonObject AnthropicList()
    {
        var data = new JsonArray();
        foreach (var (id, displayName, createdAt) in AnthropicModels)
            data.Add(AnthropicModel(id, displayName, createdAt));
        return new JsonObject
        {
            [K.Data] = data,
            [K.HasMore] = false,
            [K.FirstId] = AnthropicModels[0].Id,
            [K.LastId] = AnthropicModels[^1].Id,
        };
    }

    public static JsonObject AnthropicModel(string id)
    {
        var known = Array.Find(AnthropicModels, model => model.Id == id);
        return known.Id is null ? AnthropicModel(id, id, "2025-01-01T00:00:00Z") : AnthropicModel(known.Id, known.DisplayName, known.CreatedAt);
    }

    private static JsonObject OpenAIModel(string id, long created) => new()
    {
        [K.Id] = id,
        [K.Object] = K.Model,
        [K.Created] = created,
        [K.OwnedBy] = "system",
    };

    private static JsonObject AnthropicModel(string id, string displayName, string createdAt) => new()
    {
        [K.Type] = K.Model,
        [K.Id] = id,
        [K.DisplayName] = displayName,
        [K.CreatedAt] = createdAt,
    };
}
