using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.MockUpstream;

/// <summary>The per-request controls, read from <c>x-mock-*</c> request headers over the server's options.</summary>
internal sealed record MockControls(
    MockScenario Scenario,
    int ErrorStatus,
    MockUsage Usage,
    string Text,
    bool TextGiven,
    string ToolName,
    string ToolArguments,
    int ChunkWords,
    TimeSpan ChunkDelay,
    TimeSpan Latency,
    bool Crlf,
    bool ScenarioGiven,
    bool UsageGiven)
{
    public const string ScenarioHeader = "x-mock-scenario";
    public const string StatusHeader = "x-mock-status";
    public const string UsageHeader = "x-mock-usage";
    public const string TextHeader = "x-mock-text";
    public const string ToolHeader = "x-mock-tool";
    public const string ChunkWordsHeader = "x-mock-chunk-words";
    public const string ChunkDelayHeader = "x-mock-chunk-delay-ms";
    public const string LatencyHeader = "x-mock-latency-ms";
    public const string LineEndingHeader = "x-mock-line-ending";

    public const string DefaultText = "Hello from the mock upstream.";
    public const string DefaultToolName = "get_weather";
    public const string DefaultToolArguments = """{"city":"Paris","unit":"celsius"}""";

    /// <summary>Reads the controls; false with a message when a header is malformed (the caller answers 400).</summary>
    public static bool TryRead(IHeaderDictionary headers, MockUpstreamOptions options, out MockControls controls, out string? error)
    {
        controls = null!;
        if (!TryScenario(headers[ScenarioHeader].ToString(), out var scenario, out error)
            || !MockUsage.TryParse(headers[UsageHeader].ToString(), out var usage, out var hasReasoning, out error)
            || !TryTool(headers[ToolHeader].ToString(), out var toolName, out var toolArguments, out error)
            || !TryInt(headers, StatusHeader, scenario is MockScenario.ErrorMid ? 500 : 429, out var status, out error)
            || !TryInt(headers, ChunkWordsHeader, options.ChunkWords, out var chunkWords, out error)
            || !TryMilliseconds(headers, ChunkDelayHeader, options.ChunkDelay, out var chunkDelay, out error)
            || !TryMilliseconds(headers, LatencyHeader, options.Latency, out var latency, out error))
            return false;
        if (scenario is MockScenario.Thinking && !hasReasoning)
            usage = usage with { Reasoning = MockUsage.DefaultThinkingReasoning };
        var text = headers[TextHeader].ToString();
        controls = new MockControls(scenario, status, usage, text.Length > 0 ? text : DefaultText, text.Length > 0, toolName, toolArguments,
            Math.Max(1, chunkWords), chunkDelay, latency,
            string.Equals(headers[LineEndingHeader].ToString(), "crlf", StringComparison.OrdinalIgnoreCase),
            ScenarioGiven: headers[ScenarioHeader].ToString().Length > 0,
            UsageGiven: !string.IsNullOrWhiteSpace(headers[UsageHeader].ToString()));
        return true;
    }

    private static bool TryScenario(string text, out MockScenario scenario, out string? error)
    {
        error = null;
        MockScenario? parsed = text switch
        {
            "" or "text" => MockScenario.Text,
            "tool_call" => MockScenario.ToolCall,
            "thinking" => MockScenario.Thinking,
            "error_before" => MockScenario.ErrorBefore,
            "error_mid" => MockScenario.ErrorMid,
            "hang" => MockScenario.Hang,
            "cut" => MockScenario.Cut,
            "commentary" => MockScenario.Commentary,
            "web_search" => MockScenario.WebSearch,
            _ => null,
        };
        scenario = parsed ?? MockScenario.Text;
        if (parsed is null)
            error = $"{ScenarioHeader}: unknown scenario '{text}' (text, tool_call, thinking, commentary, web_search, error_before, error_mid, hang, cut)";
        return parsed is not null;
    }

    /// <summary><c>name=get_weather;args={"city":"Paris"}</c>; either part may be left out, <c>args</c> comes last.</summary>
    private static bool TryTool(string text, out string name, out string arguments, out string? error)
    {
        (name, arguments, error) = (DefaultToolName, DefaultToolArguments, null);
        var rest = text.Trim();
        if (rest.StartsWith("name=", StringComparison.Ordinal))
        {
            var end = rest.IndexOf(';');
            name = (end < 0 ? rest[5..] : rest[5..end]).Trim();
            rest = end < 0 ? "" : rest[(end + 1)..].TrimStart();
        }
        if (rest.StartsWith("args=", StringComparison.Ordinal))
        {
            arguments = rest[5..];
            rest = "";
        }
        if (rest.Length > 0 || name.Length == 0)
            error = $"{ToolHeader}: expected 'name=NAME;args=JSON'";
        else if (!IsJsonObject(arguments))
            error = $"{ToolHeader}: args is not a JSON object";
        return error is null;
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind is JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryInt(IHeaderDictionary headers, string name, int fallback, out int value, out string? error)
    {
        error = null;
        var text = headers[name].ToString();
        if (text.Length == 0)
        {
            value = fallback;
            return true;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
            return true;
        error = $"{name}: '{text}' is not a whole number";
        return false;
    }

    private static bool TryMilliseconds(IHeaderDictionary headers, string name, TimeSpan fallback, out TimeSpan value, out string? error)
    {
        var ok = TryInt(headers, name, -1, out var milliseconds, out error);
        value = milliseconds < 0 ? fallback : TimeSpan.FromMilliseconds(milliseconds);
        return ok;
    }
}
