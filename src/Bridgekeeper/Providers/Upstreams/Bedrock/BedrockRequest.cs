using System.Collections.Frozen;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Bridgekeeper.Providers.Upstreams.Bedrock;

/// <summary>
/// What changes when an Anthropic Messages request goes to Bedrock, and nothing else (FIELD-NOTES, "AWS Bedrock"): the
/// model moves into the path, <c>stream</c> into the path's choice, the <c>anthropic-beta</c> header into an
/// <c>anthropic_beta</c> array, <c>anthropic_version</c> is set, and what Bedrock's closed schema refuses for the model
/// is removed or, for adaptive thinking on a model before 4.6, turned into an explicit budget.
/// </summary>
internal static partial class BedrockRequest
{
    public const string AnthropicVersion = "bedrock-2023-05-31";

    /// <summary>The beta flags Bedrock takes; any other makes it answer "invalid beta flag".</summary>
    public static readonly FrozenSet<string> Betas = FrozenSet.Create(StringComparer.Ordinal,
        "computer-use-2025-01-24", "token-efficient-tools-2025-02-19", "interleaved-thinking-2025-05-14", "output-128k-2025-02-19",
        "dev-full-thinking-2025-05-14", "context-1m-2025-08-07", "context-management-2025-06-27", "effort-2025-11-24",
        "tool-search-tool-2025-10-19", "tool-examples-2025-10-29");

    /// <summary>Top-level members the Anthropic API takes and Bedrock refuses ("Extra inputs are not permitted").</summary>
    private static readonly string[] Refused = ["metadata", "service_tier", "container", "inference_geo"];

    private const string EffortBeta = "effort-2025-11-24";
    private const string ContextManagementBeta = "context-management-2025-06-27";
    private const int MinThinkingBudget = 1024;

    /// <summary>
    /// The Bedrock model id for a client's model name: an explicit entry first; a name that already is a Bedrock id or
    /// ARN as it is; a haiku-class name to the small fast model; anything else to the main model (the name itself when
    /// none is configured).
    /// </summary>
    public static string ModelFor(BedrockSettings settings, string requested)
    {
        if (settings.Models.TryGetValue(requested, out var mapped))
            return mapped;
        if (requested.StartsWith("arn:", StringComparison.Ordinal) || requested.Contains("anthropic.", StringComparison.Ordinal))
            return requested;
        if (requested.Contains("haiku", StringComparison.OrdinalIgnoreCase))
            return settings.SmallFastModel ?? settings.Model ?? requested;
        return settings.Model ?? requested;
    }

    /// <summary>The body Bedrock takes for <paramref name="request"/> (a Messages body) sent to <paramref name="modelId"/>.</summary>
    /// <param name="betaHeader">The client's <c>anthropic-beta</c> header values (each may be comma-separated).</param>
    public static JsonObject Body(JsonObject request, IEnumerable<string> betaHeader, string modelId)
    {
        request.Remove("model");
        request.Remove("stream");
        foreach (var member in Refused)
            request.Remove(member);
        var betas = Flags(request["anthropic_beta"], betaHeader);
        request.Remove("anthropic_beta");
        var model = Generation.Of(modelId);
        if (request.ContainsKey("output_config") && !(betas.Contains(EffortBeta) && model is { Family: "opus", Version: 4.5m }))
            request.Remove("output_config");
        if (request.ContainsKey("context_management")
            && !(betas.Contains(ContextManagementBeta) && model is { Family: "sonnet" or "haiku", Version: 4.5m }))
            request.Remove("context_management");
        if (request["thinking"] is JsonObject { } thinking && Json.String(thinking["type"]) == "adaptive" && model is { Version: < 4.6m })
            ExplicitBudget(request);
        request["anthropic_version"] = AnthropicVersion;
        if (betas.Count > 0)
            request["anthropic_beta"] = new JsonArray([.. betas.Select(flag => (JsonNode)JsonValue.Create(flag))]);
        return request;
    }

    /// <summary>The flags of the body's array and the header, in order, once each, only those Bedrock takes.</summary>
    private static List<string> Flags(JsonNode? inBody, IEnumerable<string> header)
    {
        var all = (inBody as JsonArray ?? []).Select(Json.String).OfType<string>()
            .Concat(header.SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)));
        return [.. all.Where(Betas.Contains).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Adaptive thinking as Bedrock's models before 4.6 take it: enabled with a budget of half of <c>max_tokens</c>
    /// (at least 1,024, and always below <c>max_tokens</c>); without room for that, thinking is left out.
    /// </summary>
    private static void ExplicitBudget(JsonObject request)
    {
        var maxTokens = Json.Long(request["max_tokens"]) ?? 0;
        if (maxTokens <= MinThinkingBudget)
        {
            request.Remove("thinking");
            return;
        }
        request["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = Math.Max(MinThinkingBudget, maxTokens / 2) };
    }

    /// <summary>A Claude model's family and version, read from its id (<c>…claude-sonnet-4-5-…</c> or <c>…claude-3-7-sonnet-…</c>).</summary>
    internal readonly record struct Generation(string Family, decimal Version)
    {
        public static Generation? Of(string modelId)
        {
            if (NewStyle().Match(modelId) is { Success: true } newer)
                return new(newer.Groups["family"].Value, Number(newer.Groups["major"].Value, newer.Groups["minor"].Value));
            if (OldStyle().Match(modelId) is { Success: true } older)
                return new(older.Groups["family"].Value, Number(older.Groups["major"].Value, older.Groups["minor"].Value));
            return null;
        }

        private static decimal Number(string major, string minor) => decimal.Parse(major) + (minor.Length > 0 ? decimal.Parse(minor) / 10 : 0);
    }

    [GeneratedRegex(@"claude-(?<family>opus|sonnet|haiku)-(?<major>\d)(?:-(?<minor>\d)(?!\d))?")]
    private static partial Regex NewStyle();

    [GeneratedRegex(@"claude-(?<major>\d)(?:-(?<minor>\d))?-(?<family>opus|sonnet|haiku)")]
    private static partial Regex OldStyle();
}
