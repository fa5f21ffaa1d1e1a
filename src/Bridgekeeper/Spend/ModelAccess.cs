using Bridgekeeper.Auth;
using Bridgekeeper.Metrics;
using Bridgekeeper.Providers;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Spend;

/// <summary>
/// Model allowlists (<c>/api/v1/allowlists</c>): a key's, and the user's groups'. A request passes its key's allowlist,
/// when the key has one, and one of its groups' allowlists at least, when any of its groups has one. A pattern is a
/// model name in which <c>*</c> matches any run of characters, compared without regard to case; it matches when any of
/// the request's model names does: the name the client sent, the model an alias maps it to, or the model id the
/// provider is called with (Bedrock's).
/// </summary>
internal sealed class ModelAccess(SpendBook book, BridgekeeperMetrics metrics)
{
    /// <summary>Null when <paramref name="names"/> are allowed; else the refusal (403 in the provider's shape), naming the allowlist that refused.</summary>
    public GatewayError? Check(GatewayUser user, IReadOnlyList<string> names)
    {
        var (key, groups) = book.AllowlistsFor(user);
        if (key is not null && !Allows(key.Patterns, names))
        {
            metrics.ModelRefused(BudgetScopes.Key);
            return Refusal(names[0], "this key", key.Patterns);
        }
        if (groups.Count > 0 && !groups.Any(g => Allows(g.List.Patterns, names)))
        {
            metrics.ModelRefused(BudgetScopes.Group);
            var which = groups.Count == 1 ? $"group '{groups[0].Group}'" : $"groups {string.Join(", ", groups.Select(g => $"'{g.Group}'"))}";
            return Refusal(names[0], $"user '{user.Name}' (by {which})", [.. groups.SelectMany(g => g.List.Patterns).Distinct()]);
        }
        return null;
    }

    /// <summary>Whether any of <paramref name="names"/> matches any of <paramref name="patterns"/>.</summary>
    public static bool Allows(IReadOnlyList<string> patterns, IReadOnlyList<string> names) =>
        patterns.Any(pattern => names.Any(name => Matches(pattern, name)));

    /// <summary>
    /// Whether <paramref name="name"/> matches <paramref name="pattern"/> (<c>*</c>: any run of characters; case ignored).
    /// The classic linear glob match: on a mismatch, the last <c>*</c> takes one more character.
    /// </summary>
    public static bool Matches(string pattern, string name)
    {
        int p = 0, n = 0, star = -1, resume = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(name[n]))
                (p, n) = (p + 1, n + 1);
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++resume;
            }
            else
                return false;
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }

    /// <summary>Why a pattern cannot be used, or null: 1 to 200 printable characters without spaces.</summary>
    public static string? Problem(string pattern) =>
        pattern.Length is 0 or > 200 || pattern.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? $"'{pattern}' is not a model pattern: 1 to 200 characters without spaces ('*' matches any run of characters)."
            : null;

    private static GatewayError Refusal(string model, string subject, IReadOnlyList<string> patterns) =>
        GatewayError.Forbidden($"Bridgekeeper refused this request: {subject} may use only the models {string.Join(", ", patterns)}, and '{model}' is not one of them. "
            + "Ask your platform team if you need it.", "model_not_allowed");
}

/// <summary>A model alias (<c>model_aliases</c>): a model name clients send, the provider instance it goes to and the model that instance is called with.</summary>
internal sealed record ModelAlias(string Name, string Provider, string Model);
