using Bridgekeeper.Storage;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Recording;

/// <summary>
/// SPEC §5 structured log: one <c>interception log</c> line per audit record, with a <c>record_type</c> and the
/// record's fields as structured properties (the JSON console writes them under <c>State</c>). Prompts and tool inputs
/// are audit data by design; keys never appear in any record.
/// </summary>
internal static class StructuredAuditLog
{
    private const string Message = "interception log";
    private static readonly EventId Event = new(100, "InterceptionLog");

    public static void Write(ILogger logger, AuditRecord record)
    {
        if (!logger.IsEnabled(LogLevel.Information))
            return;
        List<KeyValuePair<string, object?>> fields = [new("record_type", RecordType(record)), new("interception_id", record.InterceptionId)];
        fields.AddRange(record switch
        {
            InterceptionStarted s => [new("user_id", s.UserId), new("provider", s.Provider), new("provider_type", s.ProviderType), new("model", s.Model),
                new("client", s.Client), new("user_agent", s.UserAgent), new("session_id", s.SessionId), new("streaming", s.Streaming), new("started_at", s.At)],
            InterceptionEnded e => [new("status", e.Status), new("error", e.Error), new("ended_at", e.At)],
            TokenUsageRecorded t => [new("response_id", t.ResponseId), new("input_tokens", t.InputTokens), new("output_tokens", t.OutputTokens),
                new("cache_read_tokens", t.CacheReadTokens), new("cache_write_tokens", t.CacheWriteTokens), new("reasoning_tokens", t.ReasoningTokens), new("cost_usd", t.CostUsd), new("created_at", t.At)],
            PromptRecorded p => [new("prompt", p.Prompt), new("created_at", p.At)],
            ToolUsageRecorded u => [new("tool", u.Tool), new("tool_call_id", u.ToolCallId), new("input", u.Input), new("injected", u.Injected),
                new("server_url", u.ServerUrl), new("error", u.Error), new("created_at", u.At)],
            ThoughtRecorded th => [new("source", th.Source), new("content", th.Content), new("created_at", th.At)],
            _ => [],
        });
        fields.Add(new("{OriginalFormat}", Message));
        logger.Log(LogLevel.Information, Event, fields, null, static (_, _) => Message);
    }

    private static string RecordType(AuditRecord record) => record switch
    {
        InterceptionStarted => "interception_start",
        InterceptionEnded => "interception_end",
        TokenUsageRecorded => "token_usage",
        PromptRecorded => "prompt_usage",
        ToolUsageRecorded => "tool_usage",
        ThoughtRecorded => "model_thought",
        _ => "unknown",
    };
}
