using Bridgekeeper.Pricing;

namespace Bridgekeeper.Tests.Pricing;

/// <summary>
/// Which shipped model a requested model id resolves to: the first whose rule in <c>@pydantic/genai-prices</c>
/// matches, as the source's own lookup answers (each expectation below is what its <c>calcPrice</c> returned for the
/// name), with Bedrock ids, provider prefixes and Vertex's <c>@date</c> mapped onto Anthropic's names first
/// (<see cref="ModelIds"/>); then LiteLLM's table for the few models the source lacks.
/// </summary>
public sealed class ModelIdTests
{
    private static readonly CostCalculator Shipped = new(new Dictionary<string, ModelPrice>());

    [Theory]
    [InlineData("claude-sonnet-4-5", "claude-sonnet-4-5")]
    [InlineData("GPT-4o", "gpt-4o")]
    [InlineData("gpt-4o-2024-05-13", "gpt-4o-2024-05-13")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("gpt-5-mini-2025-08-07", "gpt-5-mini")]
    [InlineData("claude-3-7-sonnet", "claude-3-7-sonnet-latest")]
    [InlineData("o1", "o1")]
    [InlineData("gpt-5-chat-latest", "gpt-5")]
    [InlineData("claude-sonnet-5", "claude-sonnet-5")]
    [InlineData("ft:gpt-4o-2024-08-06:acme::abc123", "ft:gpt-4o")]
    // Bedrock: regional, global and plain ids, and an inference-profile ARN
    [InlineData("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5")]
    [InlineData("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5")]
    [InlineData("eu.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1")]
    [InlineData("apac.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4-0")]
    [InlineData("anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku")]
    [InlineData("anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku-latest")]
    [InlineData("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5")]
    // provider prefixes and Vertex's @date
    [InlineData("openai/gpt-4o", "gpt-4o")]
    [InlineData("anthropic/claude-opus-4-5", "claude-opus-4-5")]
    [InlineData("claude-opus-4-5@20251101", "claude-opus-4-5")]
    // models the source lacks, from LiteLLM's table
    [InlineData("claude-mythos-5", "claude-mythos-5")]
    [InlineData("gpt-5-search-api-2025-10-14", "gpt-5-search-api-2025-10-14")]
    public void KnownName_KnownForms_ResolveToTheSourcesModel(string model, string expected)
    {
        Assert.Equal(expected, Shipped.KnownName(model));
    }

    [Theory]
    [InlineData("gemini-2.5-pro")] // not an OpenAI or Anthropic model
    [InlineData("gpt-4o-2099-01-01")] // the source matches no such snapshot
    [InlineData("")]
    public void KnownName_Unknown_IsNull(string model)
    {
        Assert.Null(Shipped.KnownName(model));
    }

    [Fact]
    public void AModelTheSourceGivesNoTokenPrices_KeepsItsNames_AndIsUnpriced()
    {
        // text-embedding-3-small has an input price only; it is not priced as anything else.
        Assert.Equal("text-embedding-3-small", Shipped.KnownName("text-embedding-3-small"));
        Assert.Null(Shipped.Find("text-embedding-3-small", DateTimeOffset.UtcNow));
    }

    [Fact]
    public void ShippedTable_RecordsItsSourceVersionAndDate()
    {
        Assert.StartsWith("@pydantic/genai-prices 0.1.8 ", ShippedPrices.Source, StringComparison.Ordinal);
        Assert.Equal("2026-12-04", ShippedPrices.SourceDate);
        Assert.Equal(116, ShippedPrices.Matched.Count);
        Assert.Equal(5, ShippedPrices.Fallback.Count);
    }
}
