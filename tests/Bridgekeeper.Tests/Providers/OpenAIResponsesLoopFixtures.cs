namespace Bridgekeeper.Tests.Providers;

/// <summary>Responses streams and bodies of hidden tool loops (shapes as the OpenAI API sends them).</summary>
internal static class OpenAIResponsesLoopFixtures
{
    /// <summary>First turn of a loop: a reasoning item, a commentary message "Let me check." and a call of the injected <c>bmcp_everything_echo</c>.</summary>
    public const string Turn1 = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_turn1","object":"response","created_at":1760000000,"status":"in_progress","error":null,"model":"gpt-5","output":[],"parallel_tool_calls":true,"store":true,"usage":null}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_turn1","object":"response","created_at":1760000000,"status":"in_progress","error":null,"model":"gpt-5","output":[],"parallel_tool_calls":true,"store":true,"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_1","type":"reasoning","encrypted_content":"gAAAAABenc1==","summary":[]}}

        event: response.reasoning_summary_text.delta
        data: {"type":"response.reasoning_summary_text.delta","sequence_number":3,"item_id":"rs_1","output_index":0,"summary_index":0,"delta":"**Checking the echo tool**"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":4,"output_index":0,"item":{"id":"rs_1","type":"reasoning","encrypted_content":"gAAAAABenc1==","summary":[{"type":"summary_text","text":"**Checking the echo tool**"}]}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":5,"output_index":1,"item":{"id":"msg_1","type":"message","status":"in_progress","content":[],"role":"assistant"}}

        event: response.content_part.added
        data: {"type":"response.content_part.added","sequence_number":6,"item_id":"msg_1","output_index":1,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_1","output_index":1,"content_index":0,"delta":"Let me check.","logprobs":[]}

        event: response.output_text.done
        data: {"type":"response.output_text.done","sequence_number":8,"item_id":"msg_1","output_index":1,"content_index":0,"text":"Let me check.","logprobs":[]}

        event: response.content_part.done
        data: {"type":"response.content_part.done","sequence_number":9,"item_id":"msg_1","output_index":1,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":"Let me check."}}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":10,"output_index":1,"item":{"id":"msg_1","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Let me check."}],"role":"assistant"}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":11,"output_index":2,"item":{"id":"fc_1","type":"function_call","status":"in_progress","arguments":"","call_id":"call_echo1","name":"bmcp_everything_echo"}}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":12,"item_id":"fc_1","output_index":2,"delta":"{\"messag"}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":13,"item_id":"fc_1","output_index":2,"delta":"e\":\"hi\"}"}

        event: response.function_call_arguments.done
        data: {"type":"response.function_call_arguments.done","sequence_number":14,"item_id":"fc_1","output_index":2,"arguments":"{\"message\":\"hi\"}"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":15,"output_index":2,"item":{"id":"fc_1","type":"function_call","status":"completed","arguments":"{\"message\":\"hi\"}","call_id":"call_echo1","name":"bmcp_everything_echo"}}

        event: response.completed
        data: {"type":"response.completed","sequence_number":16,"response":{"id":"resp_turn1","object":"response","created_at":1760000000,"status":"completed","error":null,"model":"gpt-5","output":[{"id":"rs_1","type":"reasoning","encrypted_content":"gAAAAABenc1==","summary":[{"type":"summary_text","text":"**Checking the echo tool**"}]},{"id":"msg_1","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Let me check."}],"role":"assistant"},{"id":"fc_1","type":"function_call","status":"completed","arguments":"{\"message\":\"hi\"}","call_id":"call_echo1","name":"bmcp_everything_echo"}],"parallel_tool_calls":true,"store":true,"usage":{"input_tokens":1000,"input_tokens_details":{"cached_tokens":800},"output_tokens":120,"output_tokens_details":{"reasoning_tokens":64},"total_tokens":1120}}}


        """;

    /// <summary>Second turn: the final message, under the upstream's new response id.</summary>
    public const string Turn2 = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_turn2","object":"response","created_at":1760000000,"status":"in_progress","error":null,"model":"gpt-5","output":[],"parallel_tool_calls":true,"store":true,"usage":null}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_turn2","object":"response","created_at":1760000000,"status":"in_progress","error":null,"model":"gpt-5","output":[],"parallel_tool_calls":true,"store":true,"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_2","type":"message","status":"in_progress","content":[],"role":"assistant"}}

        event: response.content_part.added
        data: {"type":"response.content_part.added","sequence_number":3,"item_id":"msg_2","output_index":0,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_2","output_index":0,"content_index":0,"delta":"The echo tool said: hi","logprobs":[]}

        event: response.output_text.done
        data: {"type":"response.output_text.done","sequence_number":5,"item_id":"msg_2","output_index":0,"content_index":0,"text":"The echo tool said: hi","logprobs":[]}

        event: response.content_part.done
        data: {"type":"response.content_part.done","sequence_number":6,"item_id":"msg_2","output_index":0,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":"The echo tool said: hi"}}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"id":"msg_2","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"The echo tool said: hi"}],"role":"assistant"}}

        event: response.completed
        data: {"type":"response.completed","sequence_number":8,"response":{"id":"resp_turn2","object":"response","created_at":1760000000,"status":"completed","error":null,"model":"gpt-5","output":[{"id":"msg_2","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"The echo tool said: hi"}],"role":"assistant"}],"parallel_tool_calls":true,"store":true,"usage":{"input_tokens":1200,"input_tokens_details":{"cached_tokens":1000},"output_tokens":30,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":1230}}}


        """;

    /// <summary>A turn calling the client's own <c>shell</c> and the injected echo in parallel.</summary>
    public const string Mixed = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_mixed","object":"response","created_at":1760000000,"status":"in_progress","error":null,"model":"gpt-5","output":[],"parallel_tool_calls":true,"store":true,"usage":null}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_mixed","object":"response","created_at":1760000000,"status":"in_progress","error":null,"model":"gpt-5","output":[],"parallel_tool_calls":true,"store":true,"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"fc_shell","type":"function_call","status":"in_progress","arguments":"","call_id":"call_shell1","name":"shell"}}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":3,"item_id":"fc_shell","output_index":0,"delta":"{\"command"}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":4,"item_id":"fc_shell","output_index":0,"delta":"\":[\"ls\"]}"}

        event: response.function_call_arguments.done
        data: {"type":"response.function_call_arguments.done","sequence_number":5,"item_id":"fc_shell","output_index":0,"arguments":"{\"command\":[\"ls\"]}"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":6,"output_index":0,"item":{"id":"fc_shell","type":"function_call","status":"completed","arguments":"{\"command\":[\"ls\"]}","call_id":"call_shell1","name":"shell"}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":7,"output_index":1,"item":{"id":"fc_echo","type":"function_call","status":"in_progress","arguments":"","call_id":"call_echo2","name":"bmcp_everything_echo"}}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":8,"item_id":"fc_echo","output_index":1,"delta":"{\"messa"}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":9,"item_id":"fc_echo","output_index":1,"delta":"ge\":\"x\"}"}

        event: response.function_call_arguments.done
        data: {"type":"response.function_call_arguments.done","sequence_number":10,"item_id":"fc_echo","output_index":1,"arguments":"{\"message\":\"x\"}"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":11,"output_index":1,"item":{"id":"fc_echo","type":"function_call","status":"completed","arguments":"{\"message\":\"x\"}","call_id":"call_echo2","name":"bmcp_everything_echo"}}

        event: response.completed
        data: {"type":"response.completed","sequence_number":12,"response":{"id":"resp_mixed","object":"response","created_at":1760000000,"status":"completed","error":null,"model":"gpt-5","output":[{"id":"fc_shell","type":"function_call","status":"completed","arguments":"{\"command\":[\"ls\"]}","call_id":"call_shell1","name":"shell"},{"id":"fc_echo","type":"function_call","status":"completed","arguments":"{\"message\":\"x\"}","call_id":"call_echo2","name":"bmcp_everything_echo"}],"parallel_tool_calls":true,"store":true,"usage":{"input_tokens":500,"input_tokens_details":{"cached_tokens":0},"output_tokens":40,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":540}}}


        """;

    /// <summary>A message, then two injected calls in parallel (<c>get-sum</c> and <c>echo</c>).</summary>
    public const string Parallel = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_par","object":"response","created_at":1760000000,"status":"in_progress","error":null,"model":"gpt-5","output":[],"parallel_tool_calls":true,"store":true,"usage":null}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_par","object":"response","created_at":1760000000,"status":"in_progress","error":null,"model":"gpt-5","output":[],"parallel_tool_calls":true,"store":true,"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_p","type":"message","status":"in_progress","content":[],"role":"assistant"}}

        event: response.content_part.added
        data: {"type":"response.content_part.added","sequence_number":3,"item_id":"msg_p","output_index":0,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_p","output_index":0,"content_index":0,"delta":"Adding both.","logprobs":[]}

        event: response.output_text.done
        data: {"type":"response.output_text.done","sequence_number":5,"item_id":"msg_p","output_index":0,"content_index":0,"text":"Adding both.","logprobs":[]}

        event: response.content_part.done
        data: {"type":"response.content_part.done","sequence_number":6,"item_id":"msg_p","output_index":0,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":"Adding both."}}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"id":"msg_p","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Adding both."}],"role":"assistant"}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":8,"output_index":1,"item":{"id":"fc_a","type":"function_call","status":"in_progress","arguments":"","call_id":"call_sum1","name":"bmcp_everything_get-sum"}}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":9,"item_id":"fc_a","output_index":1,"delta":"{\"a\":1"}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":10,"item_id":"fc_a","output_index":1,"delta":",\"b\":2}"}

        event: response.function_call_arguments.done
        data: {"type":"response.function_call_arguments.done","sequence_number":11,"item_id":"fc_a","output_index":1,"arguments":"{\"a\":1,\"b\":2}"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":12,"output_index":1,"item":{"id":"fc_a","type":"function_call","status":"completed","arguments":"{\"a\":1,\"b\":2}","call_id":"call_sum1","name":"bmcp_everything_get-sum"}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":13,"output_index":2,"item":{"id":"fc_b","type":"function_call","status":"in_progress","arguments":"","call_id":"call_echo3","name":"bmcp_everything_echo"}}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":14,"item_id":"fc_b","output_index":2,"delta":"{\"messa"}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":15,"item_id":"fc_b","output_index":2,"delta":"ge\":\"3\"}"}

        event: response.function_call_arguments.done
        data: {"type":"response.function_call_arguments.done","sequence_number":16,"item_id":"fc_b","output_index":2,"arguments":"{\"message\":\"3\"}"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":17,"output_index":2,"item":{"id":"fc_b","type":"function_call","status":"completed","arguments":"{\"message\":\"3\"}","call_id":"call_echo3","name":"bmcp_everything_echo"}}

        event: response.completed
        data: {"type":"response.completed","sequence_number":18,"response":{"id":"resp_par","object":"response","created_at":1760000000,"status":"completed","error":null,"model":"gpt-5","output":[{"id":"msg_p","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Adding both."}],"role":"assistant"},{"id":"fc_a","type":"function_call","status":"completed","arguments":"{\"a\":1,\"b\":2}","call_id":"call_sum1","name":"bmcp_everything_get-sum"},{"id":"fc_b","type":"function_call","status":"completed","arguments":"{\"message\":\"3\"}","call_id":"call_echo3","name":"bmcp_everything_echo"}],"parallel_tool_calls":true,"store":true,"usage":{"input_tokens":700,"input_tokens_details":{"cached_tokens":0},"output_tokens":50,"output_tokens_details":{"reasoning_tokens":10},"total_tokens":750}}}


        """;

    /// <summary>A blocking first turn: reasoning, a message and an injected call.</summary>
    public const string BlockingTurn1 = """
        {"id":"resp_b1","object":"response","created_at":1760000000,"status":"completed","error":null,"model":"gpt-5","output":[{"id":"rs_1","type":"reasoning","encrypted_content":"gAAAAABenc1==","summary":[{"type":"summary_text","text":"**Checking the echo tool**"}]},{"id":"msg_1","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Let me check."}],"role":"assistant"},{"id":"fc_1","type":"function_call","status":"completed","arguments":"{\"message\":\"hi\"}","call_id":"call_echo1","name":"bmcp_everything_echo"}],"parallel_tool_calls":true,"store":true,"usage":{"input_tokens":1000,"input_tokens_details":{"cached_tokens":800},"output_tokens":120,"output_tokens_details":{"reasoning_tokens":64},"total_tokens":1120}}
        """;

    /// <summary>A blocking second turn: the final message.</summary>
    public const string BlockingTurn2 = """
        {"id":"resp_b2","object":"response","created_at":1760000000,"status":"completed","error":null,"model":"gpt-5","output":[{"id":"msg_2","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"The echo tool said: hi"}],"role":"assistant"}],"parallel_tool_calls":true,"store":true,"usage":{"input_tokens":1200,"input_tokens_details":{"cached_tokens":1000},"output_tokens":30,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":1230}}
        """;
}
