using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// What Bedrock refuses in a Claude Messages body that the Anthropic API takes (FIELD-NOTES, "AWS Bedrock"), each a 400
/// <c>ValidationException</c>: <c>model</c> or <c>stream</c> present, <c>anthropic_version</c> missing (or not
/// <c>bedrock-2023-05-31</c> or a date), top-level <c>metadata</c>, <c>service_tier</c>, <c>container</c> or
/// <c>inference_geo</c>, an <c>anthropic_beta</c> that is not an array of flags from Bedrock's list, <c>output_config</c>
/// without the effort beta on Opus 4.5, <c>context_management</c> without its beta on Sonnet 4.5 or Haiku 4.5, and
/// adaptive thinking on a model before 4.6. Fields the notes say nothing about are let through.
/// </summary>
internal static partial class BedrockRequestRules
{
    public const string AnthropicVersion = "anthropic_version";
    public const string AnthropicBeta = "anthropic_beta";
    public const string BedrockVersion = "bedrock-2023-05-31";
    public const string EffortBeta = "effort-2025-11-24";
    public const string ContextManagementBeta = "context-management-2025-06-27";

    /// <summary>The beta flags Bedrock takes.</summary>
    public static readonly IReadOnlySet<string> Betas = new HashSet<string>(StringComparer.Ordinal)
    {
        "computer-use-2025-01-24", "token-efficient-tools-2025-02-19", "interleaved-thinking-2025-05-14", "output-128k-2025-02-19",
        "dev-full-thinking-2025-05-14", "context-1m-2025-08-07", ContextManagementBeta, EffortBeta, "tool-search-tool-2025-10-19",
        "tool-examples-2025-10-29",
    };

    private static readonly string[] Extraneous = [K.Model, K.Stream];
    private static readonly string[] ExtraInputs = [K.Metadata, K.ServiceTier, "container", "inference_geo"];

    /// <summary>Null when Bedrock takes the body for <paramref name="modelId"/>; otherwise the message of its 400.</summary>
    public static string? Refusal(JsonObject body, string modelId)
    {
        foreach (var key in Extraneous)
            if (body.ContainsKey(key))
                return Malformed($"extraneous key [{key}] is not permitted");
        if (body[AnthropicVersion] is not { } version)
            return Malformed($"required key [{AnthropicVersion}] not found");
        if (MockJson.String(version) is not { } versionText || (versionText != BedrockVersion && !DatedVersion().IsMatch(versionText)))
            return $"{AnthropicVersion}: invalid version '{version.ToJsonString()}'";
        foreach (var key in ExtraInputs)
            if (body.ContainsKey(key))
                return $"{key}: Extra inputs are not permitted";

        var betas = new HashSet<string>(StringComparer.Ordinal);
        if (body[AnthropicBeta] is { } betaNode)
        {
            if (betaNode is not JsonArray array || array.Any(flag => MockJson.String(flag) is null))
                return Malformed($"#/{AnthropicBeta}: expected type: JSONArray of strings");
            foreach (var flag in array)
            {
                var name = MockJson.String(flag)!;
                if (!Betas.Contains(name))
                    return "invalid beta flag";
                betas.Add(name);
            }
        }

        var model = ClaudeModel.Of(modelId);
        if (body.ContainsKey("output_config") && !(betas.Contains(EffortBeta) && model is { Family: "opus", Major: 4, Minor: 5 }))
            return "output_config: Extra inputs are not permitted";
        if (body.ContainsKey("context_management")
            && !(betas.Contains(ContextManagementBeta) && model is { Family: "sonnet" or "haiku", Major: 4, Minor: 5 }))
            return "context_management: Extra inputs are not permitted";
        if (body[K.Thinking] is JsonObject thinking && MockJson.String(thinking[K.Type]) == "adaptive" && model is { } known && known.Before(4, 6))
            return "thinking.type: Input tag 'adaptive' found using 'type' does not match any of the expected tags: 'disabled', 'enabled'";
        return null;
    }

    private static string Malformed(string detail) => $"Malformed input request: #: {detail}, please reformat your input and try again.";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DatedVersion();
}

/// <summary>
/// The Claude model a Bedrock model id names, read from its <c>claude-…</c> part, whatever comes before it (an
/// inference profile's <c>us.</c>/<c>eu.</c>/<c>apac.</c>/<c>global.</c>, <c>anthropic.</c>, an ARN's
/// <c>…/</c>): <c>claude-sonnet-4-5-20250929-v1:0</c> is sonnet 4.5, <c>claude-3-7-sonnet-…</c> sonnet 3.7,
/// <c>claude-opus-4-20250514-v1:0</c> opus 4.0. Null when the id names no Claude model (e.g. an application
/// inference profile's ARN): the rules that depend on the model are then not applied.
/// </summary>
internal sealed partial record ClaudeModel(string Family, int Major, int Minor)
{
    public static ClaudeModel? Of(string modelId)
    {
        if (Newer().Match(modelId) is { Success: true } newer)
            return new(newer.Groups[1].Value, Number(newer.Groups[2]), Number(newer.Groups[3]));
        return Older().Match(modelId) is { Success: true } older ? new(older.Groups[3].Value, Number(older.Groups[1]), Number(older.Groups[2])) : null;
    }

    private static int Number(Group group) => group.Success ? int.Parse(group.Value, CultureInfo.InvariantCulture) : 0;

    public bool Before(int major, int minor) => Major < major || (Major == major && Minor < minor);

    /// <summary><c>claude-FAMILY-MAJOR[-MINOR]</c>, the minor one or two digits (a date is eight).</summary>
    [GeneratedRegex(@"claude-(opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?!\d)")]
    private static partial Regex Newer();

    /// <summary><c>claude-MAJOR[-MINOR]-FAMILY</c>, the names of the 3.x models.</summary>
    [GeneratedRegex(@"claude-(\d+)(?:-(\d{1,2}))?-(opus|sonnet|haiku)")]
    private static partial Regex Older();
}
