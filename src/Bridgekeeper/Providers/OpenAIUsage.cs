using System.Text.Json;

namespace Bridgekeeper.Providers;

/// <summary>
/// Reads an OpenAI <c>usage</c> object, which Chat Completions and Responses shape alike under different names
/// (<c>prompt_tokens</c>/<c>input_tokens</c>, ...). SPEC §5: input excludes the cached tokens; reasoning is part of output.
/// A figure that is negative or not an integer counts as absent.
/// </summary>
internal static class OpenAIUsage
{
    /// <summary>The usage, or null when the value is not an object (the reader then has consumed it).</summary>
    public static TokenUsage? Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> outputKey,
        ReadOnlySpan<byte> inputDetailsKey, ReadOnlySpan<byte> outputDetailsKey)
    {
        if (!Json.EnterObject(ref reader))
            return null;
        long input = 0, output = 0, cached = 0, reasoning = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(inputKey))
                input = Json.ReadCount(ref reader) ?? 0;
            else if (reader.ValueTextEquals(outputKey))
                output = Json.ReadCount(ref reader) ?? 0;
            else if (reader.ValueTextEquals(inputDetailsKey))
                cached = Json.ReadNestedLong(ref reader, "cached_tokens"u8);
            else if (reader.ValueTextEquals(outputDetailsKey))
                reasoning = Json.ReadNestedLong(ref reader, "reasoning_tokens"u8);
            else
                reader.Skip();
        }
        return new TokenUsage(Math.Max(0, input - cached), output, cached, CacheWrite: 0, reasoning);
    }

    /// <summary>The service tiers OpenAI prices apart from the standard one (also the ones an operator may price, <c>service_tiers</c>).</summary>
    public static readonly IReadOnlyList<string> PricedTiers = ["flex", "priority", "scale"];

    /// <summary>
    /// A response's <c>service_tier</c> when it names a tier priced apart from the standard one (<c>flex</c>, <c>priority</c>,
    /// <c>scale</c>); null for <c>default</c> and anything else. Allocates nothing: a Chat stream repeats it in every chunk.
    /// </summary>
    public static string? ReadServiceTier(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
            return null;
        if (reader.TokenType == JsonTokenType.String)
        {
            foreach (var tier in PricedTiers)
            {
                if (reader.ValueTextEquals(tier))
                    return tier;
            }
        }
        reader.Skip();                                   // an object or array; a no-op on any other value
        return null;
    }
}
