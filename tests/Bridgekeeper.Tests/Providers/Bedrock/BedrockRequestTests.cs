using System.Text.Json.Nodes;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams.Bedrock;

namespace Bridgekeeper.Tests.Providers.Bedrock;

/// <summary>
/// What changes when a Messages request goes to Bedrock (FIELD-NOTES, "AWS Bedrock"), exactly: the model mapping, the
/// members Bedrock's closed schema refuses, the beta flags moved into the body, and adaptive thinking before 4.6.
/// </summary>
public sealed class BedrockRequestTests
{
    private const string Sonnet45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    private const string Haiku45 = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    private const string Opus45 = "global.anthropic.claude-opus-4-5-20251101-v1:0";
    private const string Opus46 = "us.anthropic.claude-opus-4-6-v1";

    private static readonly BedrockSettings Settings = new("us-east-1", null, null, null, Sonnet45, Haiku45,
        new Dictionary<string, string> { ["claude-opus-4-5"] = Opus45 });

    [Theory]
    [InlineData("claude-sonnet-4-5-20250929", Sonnet45)]
    [InlineData("claude-haiku-4-5-20251001", Haiku45)]
    [InlineData("claude-3-5-haiku-latest", Haiku45)]
    [InlineData("claude-opus-4-5", Opus45)]
    [InlineData("anything-else", Sonnet45)]
    [InlineData("eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "eu.anthropic.claude-3-7-sonnet-20250219-v1:0")]
    [InlineData("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0")]
    public void ModelFor_MapThenBedrockIdsThenHaikuClassThenTheMainModel(string requested, string expected) =>
        Assert.Equal(expected, BedrockRequest.ModelFor(Settings, requested));

    [Fact]
    public void ModelFor_NothingConfigured_TheClientsName() =>
        Assert.Equal("claude-haiku-4-5", BedrockRequest.ModelFor(Settings with { Model = null, SmallFastModel = null, Models = new Dictionary<string, string>() }, "claude-haiku-4-5"));

    /// <summary>A body shaped like Claude Code's: adaptive thinking, metadata, output_config, context_management, service tier, betas.</summary>
    private static JsonObject ClaudeCodeBody() => JsonNode.Parse("""
        {"model":"claude-sonnet-4-5-20250929","max_tokens":32000,"stream":true,"metadata":{"user_id":"user_abc_account__session_1"},
         "service_tier":"auto","container":"c1","inference_geo":"us","thinking":{"type":"adaptive"},"output_config":{"effort":"high"},
         "context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]},"system":[{"type":"text","text":"You are Claude Code."}],
         "messages":[{"role":"user","content":"hi"}],"tools":[{"name":"Bash","input_schema":{"type":"object"}}]}
        """)!.AsObject();

    private static readonly string[] ClaudeCodeBetas =
        ["claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14", "context-management-2025-06-27, oauth-2025-04-20,effort-2025-11-24"];

    [Fact]
    public void Body_Sonnet45_RefusedMembersGo_BetasMoveIntoTheBody_OnlyBedrocksFlags_EverythingElseStays()
    {
        var body = BedrockRequest.Body(ClaudeCodeBody(), ClaudeCodeBetas, Sonnet45);

        Assert.Equal(["max_tokens", "thinking", "context_management", "system", "messages", "tools", "anthropic_version", "anthropic_beta"],
            body.Select(member => member.Key));
        Assert.Equal("bedrock-2023-05-31", (string?)body["anthropic_version"]);
        Assert.Equal(["interleaved-thinking-2025-05-14", "context-management-2025-06-27", "effort-2025-11-24"],
            body["anthropic_beta"]!.AsArray().Select(flag => (string?)flag));
        Assert.Equal("""{"type":"enabled","budget_tokens":16000}""", body["thinking"]!.ToJsonString());
        Assert.Equal("""[{"type":"text","text":"You are Claude Code."}]""", body["system"]!.ToJsonString());
    }

    [Fact]
    public void Body_Opus45WithTheEffortBeta_KeepsOutputConfig_DropsContextManagement()
    {
        var body = BedrockRequest.Body(ClaudeCodeBody(), ClaudeCodeBetas, Opus45);

        Assert.Equal("""{"effort":"high"}""", body["output_config"]!.ToJsonString());
        Assert.False(body.ContainsKey("context_management"));
    }

    [Fact]
    public void Body_Opus46_KeepsAdaptiveThinking()
    {
        var body = BedrockRequest.Body(ClaudeCodeBody(), [], Opus46);

        Assert.Equal("""{"type":"adaptive"}""", body["thinking"]!.ToJsonString());
        Assert.False(body.ContainsKey("output_config"));
        Assert.False(body.ContainsKey("context_management"));
        Assert.False(body.ContainsKey("anthropic_beta"));
    }

    [Theory]
    [InlineData(1024, null)]
    [InlineData(1500, """{"type":"enabled","budget_tokens":1024}""")]
    [InlineData(4096, """{"type":"enabled","budget_tokens":2048}""")]
    public void Body_AdaptiveThinkingBefore46_ABudgetBelowMaxTokens_OrNoThinking(int maxTokens, string? thinking)
    {
        var request = ClaudeCodeBody();
        request["max_tokens"] = maxTokens;

        var body = BedrockRequest.Body(request, [], Haiku45);

        Assert.Equal(thinking, body["thinking"]?.ToJsonString());
    }

    [Fact]
    public void Body_FlagsAlreadyInTheBody_MergeWithTheHeaderOnceEach()
    {
        var request = JsonNode.Parse("""{"max_tokens":10,"messages":[],"anthropic_beta":["context-1m-2025-08-07","oauth-2025-04-20"]}""")!.AsObject();

        var body = BedrockRequest.Body(request, ["context-1m-2025-08-07,output-128k-2025-02-19"], Sonnet45);

        Assert.Equal(["context-1m-2025-08-07", "output-128k-2025-02-19"], body["anthropic_beta"]!.AsArray().Select(flag => (string?)flag));
    }

    [Theory]
    [InlineData("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "sonnet", "4.5")]
    [InlineData("anthropic.claude-opus-4-20250514-v1:0", "opus", "4")]
    [InlineData("anthropic.claude-3-7-sonnet-20250219-v1:0", "sonnet", "3.7")]
    [InlineData("anthropic.claude-3-haiku-20240307-v1:0", "haiku", "3")]
    [InlineData("us.anthropic.claude-opus-4-6-v1", "opus", "4.6")]
    public void Generation_ReadsFamilyAndVersionFromTheId(string id, string family, string version) =>
        Assert.Equal((family, decimal.Parse(version, System.Globalization.CultureInfo.InvariantCulture)),
            BedrockRequest.Generation.Of(id) is { } g ? (g.Family, g.Version) : default);
}
