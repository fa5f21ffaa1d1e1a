using System.Text.Json.Nodes;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// Steering written into the last user text, for real agent CLIs that cannot send <c>x-mock-*</c> headers:
/// <c>mock:reply=TEXT</c>, <c>mock:run=COMMAND</c>, <c>mock:tool=NAME {JSON}</c> (each up to the end of its line) and
/// <c>mock:usage=input=5,output=3</c>. Each applies only when its header (<c>x-mock-text</c>, <c>x-mock-scenario</c>,
/// <c>x-mock-usage</c>; for <c>mock:tool=</c> also <c>x-mock-tool</c>) is absent. Several <c>mock:tool=</c> lines are
/// several calls in one turn; <c>mock:tool=</c> wins over <c>mock:run=</c>.
/// </summary>
internal sealed record MockDirectives(string? Reply, string? Run, string? Usage)
{
    public const string ReplyPrefix = "mock:reply=";
    public const string RunPrefix = "mock:run=";
    public const string ToolPrefix = "mock:tool=";
    public const string UsagePrefix = "mock:usage=";
    public const string NoShellToolText = "No shell tool offered.";

    public static MockDirectives None { get; } = new(null, null, null);

    /// <summary>Every <c>mock:tool=</c> value, in order: the tool's name, then optionally its JSON object arguments.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    public bool Equals(MockDirectives? other) =>
        other is not null && Reply == other.Reply && Run == other.Run && Usage == other.Usage && Tools.SequenceEqual(other.Tools);

    public override int GetHashCode() => HashCode.Combine(Reply, Run, Usage, Tools.Count);

    /// <summary>The first occurrence of each directive (every one of <c>mock:tool=</c>); an empty value counts as absent.</summary>
    public static MockDirectives Parse(string? text) => text is null
        ? None
        : new(Value(text, ReplyPrefix), Value(text, RunPrefix), Value(text, UsagePrefix)?.Split((char[]?)null, 2)[0])
        {
            Tools = Values(text, ToolPrefix),
        };

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
        if (Tools.Count > 0 && !controls.ScenarioGiven && !controls.ToolGiven)
        {
            List<MockToolCall> calls = [];
            foreach (var tool in Tools)
            {
                if (!TryTool(tool, out var call, out error))
                    return false;
                calls.Add(call);
            }
            applied = applied with { Scenario = MockScenario.ToolCall, ToolCalls = calls };
        }
        else if (Run is { } command && !controls.ScenarioGiven)
            applied = MockShellTool.Find(api, request) is { } tool
                ? applied with { Scenario = MockScenario.ToolCall, ToolCalls = [new MockToolCall(tool.Name, tool.Arguments(command))] }
                : applied with { Scenario = MockScenario.Text, Text = NoShellToolText, TextGiven = true };
        return true;
    }

    /// <summary><c>NAME</c> or <c>NAME {JSON}</c>: the name up to the first white space, the rest (default <c>{}</c>) a JSON object.</summary>
    private static bool TryTool(string text, out MockToolCall call, out string? error)
    {
        var space = text.AsSpan().IndexOfAny(' ', '\t');
        var (name, arguments) = space < 0 ? (text, "{}") : (text[..space], text[(space + 1)..].Trim());
        call = new MockToolCall(name, arguments);
        error = MockToolCall.IsJsonObject(arguments) ? null : $"{ToolPrefix[..^1]}: arguments of '{name}' are not a JSON object";
        return error is null;
    }

    private static string? Value(string text, string prefix) => Values(text, prefix, first: true) is [var value] ? value : null;

    private static List<string> Values(string text, string prefix, bool first = false)
    {
        List<string> values = [];
        for (var at = text.IndexOf(prefix, StringComparison.Ordinal); at >= 0; at = text.IndexOf(prefix, at, StringComparison.Ordinal))
        {
            var start = at + prefix.Length;
            var end = text.AsSpan(start).IndexOfAny('\r', '\n');
            var value = (end < 0 ? text[start..] : text.Substring(start, end)).Trim();
            at = end < 0 ? text.Length : start + end;
            if (value.Length > 0)
                values.Add(value);
            if (first)
                break;
        }
        return values;
    }
}
