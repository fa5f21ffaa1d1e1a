using System.Text.RegularExpressions;

namespace Bridgekeeper.Pricing;

/// <summary>
/// How a requested model id maps onto price-table names. In order:
/// <list type="number">
/// <item>the id as given (case-insensitive);</item>
/// <item>without a provider or path prefix (<c>openai/gpt-4o</c>, <c>bedrock/…</c>, an inference-profile ARN): the part after the last <c>/</c>;</item>
/// <item>a Vertex id with <c>@</c> before its date (<c>claude-sonnet-4-5@20250929</c>) with <c>-</c> instead;</item>
/// <item>a Bedrock id (<c>us.anthropic.claude-sonnet-4-5-20250929-v1:0</c>, <c>anthropic.claude-3-5-haiku-20241022-v1:0</c>,
///   <c>global.anthropic.…</c>): the Anthropic name between <c>anthropic.</c> and the <c>-vN:M</c> version;</item>
/// <item>then each of those without its snapshot date (<c>-20250929</c>, <c>-2024-08-06</c>): <c>gpt-4o-2024-08-06</c> → <c>gpt-4o</c>;</item>
/// <item>then an undated id (or one ending in <c>-latest</c>) → the newest dated snapshot of that name in the table:
///   <c>claude-3-7-sonnet</c> → <c>claude-3-7-sonnet-20250219</c>.</item>
/// </list>
/// A dated id never falls back to a different date of the same model: snapshots can differ in price.
/// </summary>
internal static partial class ModelIds
{
    /// <summary>Steps 1-4: the exact names to try, most literal first, without repeats.</summary>
    public static IReadOnlyList<string> ExactForms(string model)
    {
        List<string> forms = [];
        void Add(string id)
        {
            if (id.Length > 0 && !forms.Contains(id, StringComparer.OrdinalIgnoreCase))
                forms.Add(id);
        }

        var id = model.Trim();
        Add(id);
        var slash = id.LastIndexOf('/');
        if (slash >= 0)
            Add(id = id[(slash + 1)..]);
        if (id.Contains('@', StringComparison.Ordinal))
            Add(id = id.Replace('@', '-'));
        if (Bedrock().Match(id) is { Success: true } bedrock)
            Add(bedrock.Groups["name"].Value);
        return forms;
    }

    /// <summary>The name without a trailing snapshot date, or null when it has none.</summary>
    public static string? WithoutDate(string id) => Dated().Match(id) is { Success: true } m ? m.Groups["name"].Value : null;

    /// <summary>The snapshot date of a dated id as <c>yyyyMMdd</c>, for ordering snapshots; null when undated.</summary>
    public static string? DateOf(string id) => Dated().Match(id) is { Success: true } m ? m.Groups["date"].Value.Replace("-", "", StringComparison.Ordinal) : null;

    /// <summary>The name without a trailing <c>-latest</c>, or null.</summary>
    public static string? WithoutLatest(string id) =>
        id.EndsWith("-latest", StringComparison.OrdinalIgnoreCase) ? id[..^"-latest".Length] : null;

    [GeneratedRegex(@"^(?:[a-z]{2,6}(?:-[a-z]+)?\.)?anthropic\.(?<name>claude-[a-z0-9.-]+?)(?:-v\d+(?::[0-9a-z]+)*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex Bedrock();

    [GeneratedRegex(@"^(?<name>.+?)-(?<date>20\d{6}|20\d{2}-\d{2}-\d{2})$")]
    private static partial Regex Dated();
}
