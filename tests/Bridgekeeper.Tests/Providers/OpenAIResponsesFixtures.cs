namespace Bridgekeeper.Tests.Providers;

/// <summary>Recorded Responses streams and bodies (shapes as the OpenAI API sends them to Codex).</summary>
internal static class OpenAIResponsesFixtures
{
    /// <summary>
    /// A Codex turn: a reasoning item with two summary parts, a commentary message, a function call whose arguments
    /// arrive in three deltas, and a final-answer message; the closing event repeats every item in <c>output</c>.
    /// </summary>
    public const string CodexTurn = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9","object":"response","created_at":1760000000,"status":"in_progress","background":false,"error":null,"incomplete_details":null,"instructions":"You are Codex, based on GPT-5.","max_output_tokens":null,"model":"gpt-5-codex","output":[],"parallel_tool_calls":false,"previous_response_id":null,"prompt_cache_key":"0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","reasoning":{"effort":"medium","summary":"auto"},"store":false,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9","object":"response","created_at":1760000000,"status":"in_progress","background":false,"error":null,"incomplete_details":null,"model":"gpt-5-codex","output":[],"usage":null,"metadata":{}}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_0a1b01","type":"reasoning","encrypted_content":"gAAAAABo6x1Y2Zk3bW9kZWw=","summary":[]}}

        event: response.reasoning_summary_part.added
        data: {"type":"response.reasoning_summary_part.added","sequence_number":3,"item_id":"rs_0a1b01","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":""}}

        event: response.reasoning_summary_text.delta
        data: {"type":"response.reasoning_summary_text.delta","sequence_number":4,"item_id":"rs_0a1b01","output_index":0,"summary_index":0,"delta":"**Locating the failing test**","obfuscation":"x1Yz"}

        event: response.reasoning_summary_text.done
        data: {"type":"response.reasoning_summary_text.done","sequence_number":5,"item_id":"rs_0a1b01","output_index":0,"summary_index":0,"text":"**Locating the failing test**"}

        event: response.reasoning_summary_part.done
        data: {"type":"response.reasoning_summary_part.done","sequence_number":6,"item_id":"rs_0a1b01","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":"**Locating the failing test**"}}

        event: response.reasoning_summary_part.added
        data: {"type":"response.reasoning_summary_part.added","sequence_number":7,"item_id":"rs_0a1b01","output_index":0,"summary_index":1,"part":{"type":"summary_text","text":""}}

        event: response.reasoning_summary_text.delta
        data: {"type":"response.reasoning_summary_text.delta","sequence_number":8,"item_id":"rs_0a1b01","output_index":0,"summary_index":1,"delta":"I'll run the suite to see which assertion fails.","obfuscation":"k"}

        event: response.reasoning_summary_text.done
        data: {"type":"response.reasoning_summary_text.done","sequence_number":9,"item_id":"rs_0a1b01","output_index":0,"summary_index":1,"text":"I'll run the suite to see which assertion fails."}

        event: response.reasoning_summary_part.done
        data: {"type":"response.reasoning_summary_part.done","sequence_number":10,"item_id":"rs_0a1b01","output_index":0,"summary_index":1,"part":{"type":"summary_text","text":"I'll run the suite to see which assertion fails."}}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":11,"output_index":0,"item":{"id":"rs_0a1b01","type":"reasoning","encrypted_content":"gAAAAABo6x1Y2Zk3bW9kZWw=","summary":[{"type":"summary_text","text":"**Locating the failing test**"},{"type":"summary_text","text":"I'll run the suite to see which assertion fails."}]}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":12,"output_index":1,"item":{"id":"msg_0a1b02","type":"message","status":"in_progress","content":[],"phase":"commentary","role":"assistant"}}

        event: response.content_part.added
        data: {"type":"response.content_part.added","sequence_number":13,"item_id":"msg_0a1b02","output_index":1,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":14,"item_id":"msg_0a1b02","output_index":1,"content_index":0,"delta":"Running the tests first","logprobs":[],"obfuscation":"Qm"}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":15,"item_id":"msg_0a1b02","output_index":1,"content_index":0,"delta":" \u2014 \"dotnet test\".","logprobs":[],"obfuscation":"z"}

        event: response.output_text.done
        data: {"type":"response.output_text.done","sequence_number":16,"item_id":"msg_0a1b02","output_index":1,"content_index":0,"text":"Running the tests first \u2014 \"dotnet test\".","logprobs":[]}

        event: response.content_part.done
        data: {"type":"response.content_part.done","sequence_number":17,"item_id":"msg_0a1b02","output_index":1,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":"Running the tests first \u2014 \"dotnet test\"."}}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":18,"output_index":1,"item":{"id":"msg_0a1b02","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Running the tests first \u2014 \"dotnet test\"."}],"phase":"commentary","role":"assistant"}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":19,"output_index":2,"item":{"id":"fc_0a1b03","type":"function_call","status":"in_progress","arguments":"","call_id":"call_Xk3mP9qR2sT5","name":"shell"}}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":20,"item_id":"fc_0a1b03","output_index":2,"delta":"{\"command\":[\"bash\",","obfuscation":"a1"}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":21,"item_id":"fc_0a1b03","output_index":2,"delta":"\"-lc\",\"dotnet test\"],","obfuscation":"b2"}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":22,"item_id":"fc_0a1b03","output_index":2,"delta":"\"workdir\":\"/repo\"}","obfuscation":"c3"}

        event: response.function_call_arguments.done
        data: {"type":"response.function_call_arguments.done","sequence_number":23,"item_id":"fc_0a1b03","output_index":2,"arguments":"{\"command\":[\"bash\",\"-lc\",\"dotnet test\"],\"workdir\":\"/repo\"}"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":24,"output_index":2,"item":{"id":"fc_0a1b03","type":"function_call","status":"completed","arguments":"{\"command\":[\"bash\",\"-lc\",\"dotnet test\"],\"workdir\":\"/repo\"}","call_id":"call_Xk3mP9qR2sT5","name":"shell"}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":25,"output_index":3,"item":{"id":"msg_0a1b04","type":"message","status":"in_progress","content":[],"phase":"final_answer","role":"assistant"}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":26,"item_id":"msg_0a1b04","output_index":3,"content_index":0,"delta":"I'll report back once the tests finish.","logprobs":[],"obfuscation":""}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":27,"output_index":3,"item":{"id":"msg_0a1b04","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"I'll report back once the tests finish."}],"phase":"final_answer","role":"assistant"}}

        event: response.completed
        data: {"type":"response.completed","sequence_number":28,"response":{"id":"resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9","object":"response","created_at":1760000000,"status":"completed","background":false,"error":null,"incomplete_details":null,"model":"gpt-5-codex","output":[{"id":"rs_0a1b01","type":"reasoning","encrypted_content":"gAAAAABo6x1Y2Zk3bW9kZWw=","summary":[{"type":"summary_text","text":"**Locating the failing test**"},{"type":"summary_text","text":"I'll run the suite to see which assertion fails."}]},{"id":"msg_0a1b02","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Running the tests first \u2014 \"dotnet test\"."}],"phase":"commentary","role":"assistant"},{"id":"fc_0a1b03","type":"function_call","status":"completed","arguments":"{\"command\":[\"bash\",\"-lc\",\"dotnet test\"],\"workdir\":\"/repo\"}","call_id":"call_Xk3mP9qR2sT5","name":"shell"},{"id":"msg_0a1b04","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"I'll report back once the tests finish."}],"phase":"final_answer","role":"assistant"}],"usage":{"input_tokens":12816,"input_tokens_details":{"cached_tokens":11904},"output_tokens":412,"output_tokens_details":{"reasoning_tokens":256},"total_tokens":13228},"user":null,"metadata":{}}}


        """;

    /// <summary>A hosted web search, then a cited answer.</summary>
    public const string WebSearch = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_ws68e1","object":"response","created_at":1760000100,"status":"in_progress","error":null,"model":"gpt-5","output":[],"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"ws_68e1a2b3","type":"web_search_call","status":"in_progress"}}

        event: response.web_search_call.in_progress
        data: {"type":"response.web_search_call.in_progress","sequence_number":2,"output_index":0,"item_id":"ws_68e1a2b3"}

        event: response.web_search_call.searching
        data: {"type":"response.web_search_call.searching","sequence_number":3,"output_index":0,"item_id":"ws_68e1a2b3"}

        event: response.web_search_call.completed
        data: {"type":"response.web_search_call.completed","sequence_number":4,"output_index":0,"item_id":"ws_68e1a2b3"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"id":"ws_68e1a2b3","type":"web_search_call","status":"completed","action":{"type":"search","query":"dotnet 10 release date","sources":[{"type":"url","url":"https://devblogs.microsoft.com/dotnet/"}]}}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":6,"output_index":1,"item":{"id":"msg_68e1c4d5","type":"message","status":"in_progress","content":[],"role":"assistant"}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_68e1c4d5","output_index":1,"content_index":0,"delta":".NET 10 shipped in November 2025.","logprobs":[]}

        event: response.output_text.annotation.added
        data: {"type":"response.output_text.annotation.added","sequence_number":8,"item_id":"msg_68e1c4d5","output_index":1,"content_index":0,"annotation_index":0,"annotation":{"type":"url_citation","start_index":0,"end_index":33,"title":".NET Blog","url":"https://devblogs.microsoft.com/dotnet/"}}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":9,"output_index":1,"item":{"id":"msg_68e1c4d5","type":"message","status":"completed","content":[{"type":"output_text","annotations":[{"type":"url_citation","start_index":0,"end_index":33,"title":".NET Blog","url":"https://devblogs.microsoft.com/dotnet/"}],"logprobs":[],"text":".NET 10 shipped in November 2025."}],"role":"assistant"}}

        event: response.completed
        data: {"type":"response.completed","sequence_number":10,"response":{"id":"resp_ws68e1","object":"response","created_at":1760000100,"status":"completed","error":null,"model":"gpt-5","output":[],"usage":{"input_tokens":320,"input_tokens_details":{"cached_tokens":0},"output_tokens":95,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":415}}}


        """;

    /// <summary>Codex's <c>apply_patch</c> as a custom (free-form) tool, its input streamed in two deltas.</summary>
    public const string CustomToolCall = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_ctc68e2","object":"response","status":"in_progress","model":"gpt-5-codex","output":[],"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"ctc_68e2f0","type":"custom_tool_call","status":"in_progress","call_id":"call_Pq7rS8tU","input":"","name":"apply_patch"}}

        event: response.custom_tool_call_input.delta
        data: {"type":"response.custom_tool_call_input.delta","sequence_number":2,"output_index":0,"item_id":"ctc_68e2f0","delta":"*** Begin Patch\n*** Update File: src/app.cs\n"}

        event: response.custom_tool_call_input.delta
        data: {"type":"response.custom_tool_call_input.delta","sequence_number":3,"output_index":0,"item_id":"ctc_68e2f0","delta":"@@\n-    return a - b;\n+    return a + b;\n*** End Patch"}

        event: response.custom_tool_call_input.done
        data: {"type":"response.custom_tool_call_input.done","sequence_number":4,"output_index":0,"item_id":"ctc_68e2f0","input":"*** Begin Patch\n*** Update File: src/app.cs\n@@\n-    return a - b;\n+    return a + b;\n*** End Patch"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"id":"ctc_68e2f0","type":"custom_tool_call","status":"completed","call_id":"call_Pq7rS8tU","input":"*** Begin Patch\n*** Update File: src/app.cs\n@@\n-    return a - b;\n+    return a + b;\n*** End Patch","name":"apply_patch"}}

        event: response.completed
        data: {"type":"response.completed","sequence_number":6,"response":{"id":"resp_ctc68e2","object":"response","status":"completed","error":null,"model":"gpt-5-codex","usage":{"input_tokens":4000,"input_tokens_details":{"cached_tokens":3584},"output_tokens":70,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":4070}}}


        """;

    /// <summary>A server failure after some reasoning: <c>response.failed</c> carries the error and the usage so far.</summary>
    public const string Failed = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_fail68e3","object":"response","status":"in_progress","error":null,"model":"gpt-5-codex","output":[],"usage":null}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_fail68e3","object":"response","status":"in_progress","error":null,"model":"gpt-5-codex","output":[],"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_fail01","type":"reasoning","summary":[]}}

        event: response.failed
        data: {"type":"response.failed","sequence_number":3,"response":{"id":"resp_fail68e3","object":"response","status":"failed","error":{"code":"server_error","message":"An error occurred while processing your request. You can retry your request."},"incomplete_details":null,"model":"gpt-5-codex","output":[],"usage":{"input_tokens":5000,"input_tokens_details":{"cached_tokens":4096},"output_tokens":12,"output_tokens_details":{"reasoning_tokens":12},"total_tokens":5012}}}


        """;

    /// <summary>An <c>error</c> event in mid-stream; no closing event follows.</summary>
    public const string ErrorEvent = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_err68e4","object":"response","status":"in_progress","error":null,"model":"gpt-5-codex","output":[],"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_err01","type":"message","status":"in_progress","content":[],"role":"assistant"}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_err01","output_index":0,"content_index":0,"delta":"Par","logprobs":[]}

        event: error
        data: {"type":"error","sequence_number":3,"code":"rate_limit_exceeded","message":"Rate limit reached for gpt-5-codex. Please try again in 2.5s.","param":null}


        """;

    /// <summary>Cut short by <c>max_output_tokens</c>: <c>response.incomplete</c> closes the stream with usage.</summary>
    public const string Incomplete = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_inc68e5","object":"response","status":"in_progress","error":null,"model":"gpt-5","output":[],"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_inc01","type":"message","status":"in_progress","content":[],"role":"assistant"}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_inc01","output_index":0,"content_index":0,"delta":"The answer is","logprobs":[]}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":3,"output_index":0,"item":{"id":"msg_inc01","type":"message","status":"incomplete","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"The answer is"}],"role":"assistant"}}

        event: response.incomplete
        data: {"type":"response.incomplete","sequence_number":4,"response":{"id":"resp_inc68e5","object":"response","status":"incomplete","error":null,"incomplete_details":{"reason":"max_output_tokens"},"model":"gpt-5","output":[],"usage":{"input_tokens":200,"input_tokens_details":{"cached_tokens":128},"output_tokens":64,"output_tokens_details":{"reasoning_tokens":48},"total_tokens":264}}}


        """;

    /// <summary>A blocking response with one item of every kind the audit reads, and some it ignores.</summary>
    public const string EveryItemBody = """
        {
          "id": "resp_body68e6",
          "object": "response",
          "created_at": 1760000200,
          "status": "completed",
          "background": false,
          "error": null,
          "incomplete_details": null,
          "model": "gpt-5",
          "output": [
            { "id": "rs_b1", "type": "reasoning", "summary": [ { "type": "summary_text", "text": "Plan the edit." }, { "type": "summary_text", "text": "Then verify it." } ] },
            { "id": "rs_b2", "type": "reasoning", "summary": [], "encrypted_content": "gAAAAABo" },
            { "id": "msg_b1", "type": "message", "status": "completed", "phase": "commentary", "role": "assistant", "content": [ { "type": "output_text", "annotations": [], "text": "Checking the repo." } ] },
            { "id": "fc_b1", "type": "function_call", "status": "completed", "arguments": "{\"path\":\"a.txt\"}", "call_id": "call_b1", "name": "read_file" },
            { "id": "ctc_b1", "type": "custom_tool_call", "status": "completed", "call_id": "call_b2", "input": "*** Begin Patch\n*** End Patch", "name": "apply_patch" },
            { "id": "lsh_b1", "type": "local_shell_call", "status": "completed", "call_id": "call_b3", "action": { "type": "exec", "command": ["ls", "-la"], "env": {}, "timeout_ms": 10000, "working_directory": "/repo" } },
            { "id": "mcp_b1", "type": "mcp_call", "server_label": "deepwiki", "name": "ask_question", "arguments": "{\"repoName\":\"dotnet/runtime\"}", "output": "It is a runtime.", "error": null },
            { "id": "ci_b1", "type": "code_interpreter_call", "status": "completed", "container_id": "cntr_1", "code": "print(1 + 1)", "outputs": null },
            { "id": "fs_b1", "type": "file_search_call", "status": "completed", "queries": ["retention policy"], "results": null },
            { "id": "ig_b1", "type": "image_generation_call", "status": "completed", "result": "iVBORw0KGgo=" },
            { "id": "cu_b1", "type": "computer_call", "call_id": "call_b4", "action": { "type": "click", "button": "left", "x": 10, "y": 20 }, "pending_safety_checks": [], "status": "completed" },
            { "id": "msg_b2", "type": "message", "status": "completed", "phase": "final_answer", "role": "assistant", "content": [ { "type": "output_text", "annotations": [], "text": "Done." } ] }
          ],
          "usage": { "input_tokens": 2048, "input_tokens_details": { "cached_tokens": 1024 }, "output_tokens": 300, "output_tokens_details": { "reasoning_tokens": 200 }, "total_tokens": 2348 },
          "metadata": {}
        }
        """;
}
