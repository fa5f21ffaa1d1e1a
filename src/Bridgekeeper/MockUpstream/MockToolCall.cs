using System.Text.Json;

namespace Bridgekeeper.MockUpstream;

/// <summary>One tool call the mock makes: the tool's name and its arguments as JSON object text.</summary>
internal sealed record MockToolCall(string Name, string Arguments)
{
    /// <summary>True when <paramref name="text"/> is a JSON object.</summary>
    public static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind is JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
