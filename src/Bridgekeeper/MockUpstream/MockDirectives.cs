using System.Text.Json.Nodes;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// Steering written into the last user text, for real agent CLIs that cannot send <c>x-mock-*</c> headers:
/// <c>mock:reply=TEXT</c>, <c>mock:run=COMMAND</c> (each up to the end of its line) and <c>mock:usage=input=5,output=3</c>.
/// Each applies only when its header (<c>x-mock-text</c>, <c>x-mock-scenario</c>, <c>x-mock-usage</c>) is absent.
/// </summary>
internal sealed record MockDirectives(string? Reply, string? Run, string? Usage)
{
    public const string ReplyPrefix = "mock:reply=";
    public const string RunPrefix = "mock:run=";
    public const string UsagePrefix = "mock:usage=";
    public const string NoShellToolText = "No shell tool offered.";

    public static MockDirectives None { get; } = new(null, null, null);

    /// <summary>The first occurrence of each directive; an empty value counts as absent.</summary>
    public static MockDirectives Parse(string? text) => text is null
        ? None
        : new(Value(text, ReplyPrefix), Value(text, RunPrefix), Value(text, UsagePrefix)?.Split((char[]?)null, 2)[0]);

    /// <summary>The controls with the directives applied; false with a message when <c>mock:usage</c> is malformed.</summary>
    public bool TryApply(MockApi api, JsonObject request, MockControls controls, out MockControls applied, out string? error)
    {
        applied = controls;
        error = null;
        if (Usage is { } usageText && !controls.UsageGiven)
        {
            if (!MockUsage.TryParse(usageText, out var usage, out var hasReasoning, out error))
            {
                error = error?.Replace(MockControls.UsageHeader, UsagePrefix[..^1], StringComparison.Ordinal);
                return false;
            }
            if (controls.Scenario is MockScenario.Thinking && !hasReasoning)
                usage = usage with { Reasoning = MockUsage.DefaultThinkingReasoning };
            applied = applied with { Usage = usage };
        }
        if (Reply is { } reply && !controls.TextGiven)
            applied = applied with { Text = reply, TextGiven = true };
        if (Run is { } command && !controls.ScenarioGiven)
            applied = MockShellTool.Find(api, request) is { } tool
                ? applied with { Scenario = MockScenario.ToolCall, ToolName = tool.Name, ToolArguments = tool.Arguments(command) }
                : applied with { Scenario = MockScenario.Text, Text = NoShellToolText, TextGiven = true };
        return true;
    }

    private static string? Value(string text, string prefix)
    {
        var at = text.IndexOf(prefix, StringComparison.Ordinal);
        if (at < 0)
            return null;
        var start = at + prefix.Length;
        var end = text.AsSpan(start).IndexOfAny('\r', '\n');
        var value = (end < 0 ? text[start..] : text.Substring(start, end)).Trim();
        return value.Length == 0 ? null : value;
    }
}
