using System.Text.Json;

namespace Bridgekeeper.Providers.Upstreams.Bedrock;

/// <summary><c>GET /v1/models</c> of a Bedrock instance: the Bedrock model ids it is configured with, in Anthropic's list shape.</summary>
internal static class BedrockModels
{
    public static IReadOnlyList<string> Of(BedrockSettings settings) =>
        [.. new[] { settings.Model, settings.SmallFastModel }.Concat(settings.Models.Values).OfType<string>().Distinct(StringComparer.Ordinal)];

    public static byte[] List(IReadOnlyList<string> models) => Json.Write(models, static (writer, models) =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("data");
        foreach (var model in models)
            Model(writer, model);
        writer.WriteEndArray();
        writer.WriteBoolean("has_more", false);
        writer.WriteString("first_id", models.Count > 0 ? models[0] : null);
        writer.WriteString("last_id", models.Count > 0 ? models[^1] : null);
        writer.WriteEndObject();
    });

    public static byte[] One(string model) => Json.Write(model, static (writer, model) => Model(writer, model));

    private static void Model(Utf8JsonWriter writer, string model)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "model");
        writer.WriteString("id", model);
        writer.WriteString("display_name", model);
        writer.WriteEndObject();
    }
}
