using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.MockUpstream;

/// <summary>The per-request controls, read from <c>x-mock-*</c> request headers over the server's options.</summary>
internal sealed record MockControls(
    MockScenario Scenario,
    int ErrorStatus,
    MockUsage Usage,
    string Text,
    bool TextGiven,
    IReadOnlyList<MockToolCall> ToolCalls,
    bool ToolGiven,
    int Rounds,
    int ChunkWords,
    TimeSpan ChunkDelay,
    TimeSpan Latency,
    bool Crlf,
    bool ScenarioGiven,
    bool UsageGiven)
{
    /// <summary>
    /// The scenario of a turn that answers tool results without calling a tool again (header <c>x-mock-after-tools</c>),
    /// e.g. <c>hang</c> or <c>drop</c>: how a later turn of a gateway's hidden tool loop fails. Null: the usual answer.
    /// </summary>
    public MockScenario? AfterTools { get; init; }

    public const string ScenarioHeader = "x-mock-scenario";
    public const string StatusHeader = "x-mock-status";
    public const string UsageHeader = "x-mock-usage";
    public const string TextHeader = "x-mock-text";
    public const string ToolHeader = "x-mock-tool";
    public const string ChunkWordsHeader = "x-mock-chunk-words";
    public const string ChunkDelayHeader = "x-mock-chunk-delay-ms";
    public const string LatencyHeader = "x-mock-latency-ms";
    public const string LineEndingHeader = "x-mock-line-ending";
    public const string RoundsHeader = "x-mock-rounds";
    public const string AfterToolsHeader = "x-mock-after-tools";

    /// <summary>Separates the calls of one turn in <c>x-mock-tool</c>.</summary>
    public const string ToolSeparator = " | ";

    public const string DefaultText = "Hello from the mock upstream.";
    public const string DefaultToolName = "get_weather";
    public const string DefaultToolArguments = """{"city":"Paris","unit":"celsius"}""";

    /// <summary>Reads the controls; false with a message when a header is malformed (the caller answers 400).</summary>
    public static bool TryRead(IHeaderDictionary headers, MockUpstreamOptions options, out MockControls controls, out string? error)
    {
        controls = null!;
        if (!TryScenario(headers[ScenarioHeader].ToString(), out var scenario, out error)
            || !MockUsage.TryParse(headers[UsageHeader].ToString(), out var usage, out var hasReasoning, out error)
            || !TryTools(headers[ToolHeader].ToString(), out var toolCalls, out error)
            || !TryInt(headers, RoundsHeader, 1, out var rounds, out error)
            || !TryInt(headers, StatusHeader, scenario is MockScenario.ErrorMid ? 500 : 429, out var status, out error)
            || !TryInt(headers, ChunkWordsHeader, options.ChunkWords, out var chunkWords, out error)
            || !TryMilliseconds(headers, ChunkDelayHeader, options.ChunkDelay, out var chunkDelay, out error)
            || !TryMilliseconds(headers, LatencyHeader, options.Latency, out var latency, out error))
            return false;
        if (rounds < 1)
        {
            error = $"{RoundsHeader}: must be at least 1";
            return false;
        }
        if (scenario is MockScenario.Thinking && !hasReasoning)
            usage = usage with { Reasoning = MockUsage.DefaultThinkingReasoning };
        var text = headers[TextHeader].ToString();
        controls = new MockControls(scenario, status, usage, text.Length > 0 ? text : DefaultText, text.Length > 0,
            toolCalls, ToolGiven: headers[ToolHeader].ToString().Trim().Length > 0, rounds,
            Math.Max(1, chunkWords), chunkDelay, latency,
            string.Equals(headers[LineEndingHeader].ToString(), "crlf", StringComparison.OrdinalIgnoreCase),
            ScenarioGiven: headers[ScenarioHeader].ToString().Length > 0,
            UsageGiven: !string.IsNullOrWhiteSpace(headers[UsageHeader].ToString()));
        var afterTools = headers[AfterToolsHeader].ToString();
        if (afterTools.Length > 0)
        {
            if (!TryScenario(afterTools, out var after, out error))
            {
                error = error?.Replace(ScenarioHeader, AfterToolsHeader, StringComparison.Ordinal);
                return false;
            }
            controls = controls with { AfterTools = after };
        }
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
            "drop" => MockScenario.Drop,
            "commentary" => MockScenario.Commentary,
            "web_search" => MockScenario.WebSearch,
            _ => null,
        };
        scenario = parsed ?? MockScenario.Text;
        if (parsed is null)
            error = $"{ScenarioHeader}: unknown scenario '{text}' (text, tool_call, thinking, commentary, web_search, error_before, error_mid, hang, cut, drop)";
        return parsed is not null;
    }

    /// <summary>
    /// Calls separated by <c>" | "</c> (outside JSON strings), each <c>name=get_weather;args={"city":"Paris"}</c>; either
    /// part may be left out (the default tool, the default arguments), <c>args</c> comes last. Empty: the default call.
    /// </summary>
    private static bool TryTools(string text, out IReadOnlyList<MockToolCall> calls, out string? error)
    {
        List<MockToolCall> parsed = [];
        calls = parsed;
        error = null;
        foreach (var part in SplitCalls(text))
        {
            if (!TryTool(part, out var call, out error))
                return false;
            parsed.Add(call);
        }
        return true;
    }

    /// <summary>The text split on <see cref="ToolSeparator"/> where it is not inside a JSON string.</summary>
    private static List<string> SplitCalls(string text)
    {
        List<string> parts = [];
        var (start, inString, escaped) = (0, false, false);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (escaped)
                escaped = false;
            else if (inString && c == '\\')
                escaped = true;
            else if (c == '"')
                inString = !inString;
            else if (!inString && string.CompareOrdinal(text, i, ToolSeparator, 0, ToolSeparator.Length) == 0)
            {
                parts.Add(text[start..i]);
                start = i + ToolSeparator.Length;
                i = start - 1;
            }
        }
        parts.Add(text[start..]);
        return parts;
    }

    private static bool TryTool(string text, out MockToolCall call, out string? error)
    {
        var (name, arguments) = (DefaultToolName, DefaultToolArguments);
        error = null;
        var rest = text.Trim();
        if (rest.StartsWith("name=", StringComparison.Ordinal))
        {
            var end = rest.IndexOf(';');
            name = (end < 0 ? rest[5..] : rest[5..end]).Trim();
            rest = end < 0 ? "" : rest[(end + 1)..].TrimStart();
        }
        if (rest.StartsWith("args=", StringComparison.Ordinal))
        {
            arguments = rest[5..].TrimEnd();
            rest = "";
        }
        if (rest.Length > 0 || name.Length == 0)
            error = $"{ToolHeader}: expected 'name=NAME;args=JSON', several separated by '{ToolSeparator}'";
        else if (!MockToolCall.IsJsonObject(arguments))
            error = $"{ToolHeader}: args of '{name}' is not a JSON object";
        call = new MockToolCall(name, arguments);
        return error is null;
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
