using Bridgekeeper.Pricing;

namespace Bridgekeeper.Tests.Pricing;

/// <summary>Which shipped-table entry a requested model id resolves to (<see cref="ModelIds"/>).</summary>
public sealed class ModelIdTests
{
    [Theory]
    // exact, case-insensitive
    [InlineData("claude-sonnet-4-5", "claude-sonnet-4-5")]
    [InlineData("GPT-4o", "gpt-4o")]
    [InlineData("gpt-4o-2024-05-13", "gpt-4o-2024-05-13")]
    // dated ids onto the undated name, both date styles
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929")]
    [InlineData("claude-sonnet-4-5-20991231", "claude-sonnet-4-5")]
    [InlineData("gpt-4o-2099-01-01", "gpt-4o")]
    [InlineData("gpt-5-mini-2025-08-07", "gpt-5-mini-2025-08-07")]
    // undated (or -latest) onto the newest dated snapshot
    [InlineData("claude-3-7-sonnet", "claude-3-7-sonnet-20250219")]
    [InlineData("claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219")]
    [InlineData("o1", "o1-2024-12-17")]
    [InlineData("gpt-5-chat-latest", "gpt-5-chat-latest")]
    // Bedrock: regional, global and plain ids, and an inference-profile ARN
    [InlineData("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929")]
    [InlineData("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929")]
    [InlineData("eu.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1-20250805")]
    [InlineData("apac.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4-20250514")]
    [InlineData("anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku-20240307")]
    [InlineData("anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5-20251001")]
    [InlineData("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929")]
    // provider prefixes and Vertex's @date
    [InlineData("openai/gpt-4o", "gpt-4o")]
    [InlineData("anthropic/claude-opus-4-5", "claude-opus-4-5")]
    [InlineData("claude-opus-4-5@20251101", "claude-opus-4-5-20251101")]
    public void Match_KnownForms_ResolveToTableEntry(string model, string expected)
    {
        Assert.Equal(expected, ShippedPrices.List.Match(model));
    }

    [Theory]
    [InlineData("anthropic.claude-3-5-haiku-20241022-v1:0")] // maps to claude-3-5-haiku-20241022, which the table lacks
    [InlineData("claude-3-haiku-20991231")] // a dated id never borrows another snapshot's price
    [InlineData("gemini-2.5-pro")] // trimmed out: not an OpenAI or Anthropic chat model
    [InlineData("gpt-4o-mini-tts")] // audio, not chat
    [InlineData("ft:gpt-4o-2024-08-06:acme::abc123")] // fine-tuned models are priced differently
    [InlineData("")]
    public void Match_Unknown_IsNull(string model)
    {
        Assert.Null(ShippedPrices.List.Match(model));
    }

    [Fact]
    public void ShippedTable_RecordsItsSourceAndHoldsOnlyOpenAIAndAnthropicChatModels()
    {
        Assert.Contains("f9ff147", ShippedPrices.Source, StringComparison.Ordinal);
        Assert.Equal("2026-07-24", ShippedPrices.SourceDate);
        Assert.Equal(139, ShippedPrices.List.Count);
    }
}
