using System.Globalization;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// Token figures a reply reports (header <c>x-mock-usage: input=100,output=20,cache_read=30,cache_write=10,cache_write_1h=4,reasoning=5,web_searches=2</c>).
/// <see cref="Input"/> is the non-cached input: Anthropic <c>input_tokens</c>; OpenAI <c>prompt_tokens</c> is Input + CacheRead.
/// </summary>
internal readonly record struct MockUsage(int Input, int Output, int CacheRead, int CacheWrite, int Reasoning)
{
    /// <summary>How many of <see cref="CacheWrite"/> are Anthropic 1-hour writes (<c>cache_write_1h=</c>); the rest are 5-minute ones.</summary>
    public int CacheWrite1h { get; init; }

    /// <summary>How many web searches a <see cref="MockScenario.WebSearch"/> reply runs (<c>web_searches=</c>, default 1); other scenarios run none.</summary>
    public int WebSearches { get; init; }

    public static MockUsage Default { get; } = new(Input: 11, Output: 7, CacheRead: 0, CacheWrite: 0, Reasoning: 0);

    /// <summary>Reasoning tokens an OpenAI <see cref="MockScenario.Thinking"/> reply reports when the header does not say.</summary>
    public const int DefaultThinkingReasoning = 5;

    public int PromptTokens => Input + CacheRead;

    /// <summary>Parses the header; <paramref name="hasReasoning"/> tells whether it named <c>reasoning</c>.</summary>
    public static bool TryParse(string? text, out MockUsage usage, out bool hasReasoning, out string? error)
    {
        usage = Default;
        hasReasoning = false;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
            return true;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0 || !int.TryParse(part[(equals + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                error = $"x-mock-usage: '{part}' is not name=number";
                return false;
            }
            switch (part[..equals].Trim())
            {
                case "input": usage = usage with { Input = value }; break;
                case "output": usage = usage with { Output = value }; break;
                case "cache_read": usage = usage with { CacheRead = value }; break;
                case "cache_write": usage = usage with { CacheWrite = value }; break;
                case "cache_write_1h": usage = usage with { CacheWrite1h = value }; break;
                case "reasoning": usage = usage with { Reasoning = value }; hasReasoning = true; break;
                case "web_searches": usage = usage with { WebSearches = value }; break;
                default:
                    error = $"x-mock-usage: unknown figure '{part[..equals]}' (input, output, cache_read, cache_write, cache_write_1h, reasoning, web_searches)";
                    return false;
            }
        }
        if (usage.CacheWrite1h > usage.CacheWrite)
        {
            error = "x-mock-usage: cache_write_1h is a part of cache_write, so at most as many";
            return false;
        }
        return true;
    }
}
