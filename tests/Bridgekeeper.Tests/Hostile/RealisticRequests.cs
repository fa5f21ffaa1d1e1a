namespace Bridgekeeper.Tests.Hostile;

/// <summary>Request bodies in the shapes real clients send, one list per API: the seeds that mutations start from.</summary>
internal static class RealisticRequests
{
    public static readonly string[] OpenAIChat =
    [
        """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""",
        """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"first"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},{"type":"text","text":"second"}]}]}""",
        """{"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"18C"}],"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],"max_tokens":100}""",
        """{"model":"o4-mini","stream":false,"messages":[{"role":"developer","content":"You are a coder."},{"role":"user","content":"Fix it"},{"role":"system","content":"reminder"}],"reasoning_effort":"high","temperature":1.0,"n":1}""",
    ];

    public static readonly string[] OpenAIResponses =
    [
        """{"model":"gpt-5-codex","input":"Fix the failing test"}""",
        """{"model":"gpt-5-codex","stream":true,"instructions":"You are Codex.","input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"Sandbox: workspace-write."}]},{"type":"message","role":"user","content":[{"type":"input_text","text":"Fix the failing test in src/app.cs"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="},{"type":"input_text","text":"and explain the cause."}]}],"tools":[{"type":"function","name":"shell","parameters":{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"}}}}},{"type":"web_search"},{"type":"custom","name":"apply_patch","format":{"type":"grammar","syntax":"lark","definition":"start: x"}}],"reasoning":{"effort":"medium","summary":"auto"},"store":false,"include":["reasoning.encrypted_content"],"prompt_cache_key":"c8b3"}""",
        """{"model":"gpt-4.1","previous_response_id":"resp_123","input":[{"type":"function_call_output","call_id":"call_1","output":"ok"}],"stream":true}""",
        """{"model":"gpt-4.1","prompt":{"id":"pmpt_1","version":"2"}}""",
        """{"model":"gpt-4.1","background":false,"input":[{"role":"user","content":"hello"},{"type":"reasoning","id":"rs_1","summary":[]},{"type":"item_reference","id":"msg_1"}]}""",
    ];

    public static readonly string[] AnthropicMessages =
    [
        """{"model":"claude-sonnet-4-5-20250929","max_tokens":1024,"messages":[{"role":"user","content":"hi"}]}""",
        """{"model":"claude-sonnet-4-5-20250929","max_tokens":32000,"stream":true,"system":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"first question"},{"role":"assistant","content":[{"type":"text","text":"first answer"}]},{"role":"user","content":[{"type":"text","text":"<system-reminder>The date.</system-reminder>"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"text","text":"Fix the failing test"}]},{"role":"system","content":"Reminder."}],"metadata":{"user_id":"{\"device_id\":\"d41d\",\"session_id\":\"2b4bd6a3-7c3f-4f8e-9a51-1f0b8f0c2e77\"}"},"tools":[{"name":"Bash","description":"Run","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}}],"thinking":{"type":"enabled","budget_tokens":1024}}""",
        """{"model":"claude-opus-4-1","max_tokens":10,"stream":true,"metadata":{"user_id":"user_abc_account_6f1c_session_2b4bd6a3"},"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"done"}]}]}""",
        """{"model":"claude-haiku-4-5","max_tokens":10,"metadata":{"user_id":"{\"session_id\":\"\\ud800\"}"},"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}""",
    ];

    public static readonly string[] All = [.. OpenAIChat, .. OpenAIResponses, .. AnthropicMessages];
}
