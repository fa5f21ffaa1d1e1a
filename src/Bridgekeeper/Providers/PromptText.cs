using System.Text;
using System.Text.Json;

namespace Bridgekeeper.Providers;

/// <summary>
/// The part of SPEC §5's prompt rule the dialects share, on a <see cref="RequestDocument"/>: the message that may hold
/// the prompt is found by the document's one pass (<see cref="RequestDocument.LastUserMessage"/>); its text is read here.
/// </summary>
internal static class PromptText
{
    /// <summary>A text value of the prompt, read bounded (<see cref="RequestFacts.MaxPromptBytes"/>).</summary>
    public static BoundedText? Text(RequestDocument request, JsonSlice value) => request.String(value, RequestFacts.MaxPromptBytes);

    /// <summary>
    /// The <c>text</c> of the parts of <paramref name="content"/> (an array) whose <c>type</c> is one of
    /// <paramref name="types"/>, in order: each part's text when it is a string.
    /// </summary>
    public static IEnumerable<JsonSlice> TextsOfType(RequestDocument request, JsonSlice content, params string[] types) =>
        request.Items(content)
            .Where(part => request.String(request.Property(part, "type"u8)) is { } type && types.Contains(type))
            .Select(part => request.Property(part, "text"u8));

    /// <summary>
    /// The string values among <paramref name="parts"/> joined with <paramref name="separator"/>, read within one budget
    /// of <see cref="RequestFacts.MaxPromptBytes"/> (each part gets what the earlier ones left), with the whole join's
    /// size; null when none is a string.
    /// </summary>
    public static BoundedText? Join(RequestDocument request, IEnumerable<JsonSlice> parts, char separator)
    {
        StringBuilder? joined = null;
        long total = 0;
        var budget = RequestFacts.MaxPromptBytes;
        foreach (var part in parts)
        {
            if (part.Token != JsonTokenType.String || request.String(part, Math.Max(0, budget - (joined is null ? 0 : 1))) is not { } text)
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
