using System.Text.Json.Nodes;

namespace Bridgekeeper.Providers;

/// <summary>The part of SPEC §5's prompt rule both chat dialects share: find the message that may hold the prompt.</summary>
internal static class PromptText
{
    /// <summary>
    /// Walks back from the end of <paramref name="messages"/>, skipping <c>system</c> and <c>developer</c> messages
    /// (Claude Code puts a <c>system</c> message after the user's), and returns the first other message when it is
    /// the user's; otherwise null.
    /// </summary>
    public static JsonObject? LastUserMessage(JsonNode? messages)
    {
        if (messages is not JsonArray list)
            return null;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            var role = Json.String(Json.Property(list[i], "role"));
            if (role is "system" or "developer")
                continue;
            return role == "user" ? list[i] as JsonObject : null;
        }
        return null;
    }

    /// <summary>A text value of the prompt, read bounded (<see cref="RequestFacts.MaxPromptBytes"/>).</summary>
    public static BoundedText? Text(JsonNode? node) => Json.BoundedString(node, RequestFacts.MaxPromptBytes);

    /// <summary>Text parts joined with <paramref name="separator"/>, bounded as one text; null when there are none.</summary>
    public static BoundedText? Join(IEnumerable<BoundedText?> parts, char separator)
    {
        var texts = parts.OfType<BoundedText>().ToList();
        if (texts.Count == 0)
            return null;
        if (texts.Count == 1)
            return texts[0];
        var joined = BoundedText.Of(string.Join(separator, texts.Select(t => t.Text)), RequestFacts.MaxPromptBytes);
        return joined with { TotalBytes = texts.Sum(t => t.TotalBytes) + texts.Count - 1 };
    }
}
