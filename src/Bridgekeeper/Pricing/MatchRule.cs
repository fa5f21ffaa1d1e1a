using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bridgekeeper.Pricing;

/// <summary>
/// The price source's rule for the model names a model answers to: <c>equals</c>, <c>starts_with</c>,
/// <c>ends_with</c>, <c>contains</c> (each without regard to case), <c>regex</c> (as written), and <c>or</c>/<c>and</c>
/// of rules. Evaluated on a lowercased name, as the source does.
/// </summary>
internal abstract record MatchRule
{
    public abstract bool Matches(string name);

    public static MatchRule Parse(JsonElement rule, string model)
    {
        if (rule.ValueKind != JsonValueKind.Object || rule.EnumerateObject().Count() != 1)
            throw new FormatException($"{model}: a match rule must have exactly one key.");
        var only = rule.EnumerateObject().Single();
        string Text() => only.Value.GetString() ?? throw new FormatException($"{model}: '{only.Name}' needs a string.");
        return only.Name switch
        {
            "or" => new Any([.. only.Value.EnumerateArray().Select(r => Parse(r, model))]),
            "and" => new All([.. only.Value.EnumerateArray().Select(r => Parse(r, model))]),
            "equals" => new Text(Text().ToLowerInvariant(), static (name, text) => name == text),
            "starts_with" => new Text(Text().ToLowerInvariant(), static (name, text) => name.StartsWith(text, StringComparison.Ordinal)),
            "ends_with" => new Text(Text().ToLowerInvariant(), static (name, text) => name.EndsWith(text, StringComparison.Ordinal)),
            "contains" => new Text(Text().ToLowerInvariant(), static (name, text) => name.Contains(text, StringComparison.Ordinal)),
            "regex" => new Pattern(new Regex(Text(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50))),
            _ => throw new FormatException($"{model}: the match rule '{only.Name}' is not one the gateway knows."),
        };
    }

    private sealed record Any(IReadOnlyList<MatchRule> Rules) : MatchRule
    {
        public override bool Matches(string name) => Rules.Any(r => r.Matches(name));
    }

    private sealed record All(IReadOnlyList<MatchRule> Rules) : MatchRule
    {
        public override bool Matches(string name) => Rules.All(r => r.Matches(name));
    }

    private sealed record Text(string Value, Func<string, string, bool> Test) : MatchRule
    {
        public override bool Matches(string name) => Test(name, Value);
    }

    private sealed record Pattern(Regex Regex) : MatchRule
    {
        public override bool Matches(string name)
        {
            try
            {
                return Regex.IsMatch(name);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;          // a name built to stall the rule matches nothing
            }
        }
    }
}
