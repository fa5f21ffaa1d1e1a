using System.Text;
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

    /// <summary>
    /// The string values among <paramref name="parts"/> joined with <paramref name="separator"/>, read within one budget
    /// of <see cref="RequestFacts.MaxPromptBytes"/> (each part gets what the earlier ones left), with the whole join's
    /// size; null when none is a string.
    /// </summary>
    public static BoundedText? Join(IEnumerable<JsonNode?> parts, char separator)
    {
        StringBuilder? joined = null;
        long total = 0;
        var budget = RequestFacts.MaxPromptBytes;
        foreach (var part in parts)
        {
            if (Json.BoundedString(part, Math.Max(0, budget - (joined is null ? 0 : 1))) is not { } text)
                continue;
            if (joined is null)
                joined = new StringBuilder(text.Text);
            else
            {
                total++;
                if (budget > 0)
                {
                    joined.Append(separator);
                    budget--;
                }
                joined.Append(text.Text);
            }
            total += text.TotalBytes;
            budget -= Encoding.UTF8.GetByteCount(text.Text);
        }
        return joined is null ? (BoundedText?)null : new BoundedText(joined.ToString(), total);
    }
}
