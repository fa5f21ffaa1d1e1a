namespace Bridgekeeper.Tests.Providers;

/// <summary>Chat Completions turns of the hidden loop, as OpenAI streams them with <c>include_usage</c>.</summary>
internal static class OpenAIChatLoopFixtures
{
    public const string Weather = "bmcp_weather_forecast";
    public const string Clock = "bmcp_clock_now";

    /// <summary>Turn 1: "Let me check." then an injected call, its arguments in three pieces; finish <c>tool_calls</c>.</summary>
    public const string TextThenInjectedCall = """
        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"Let me"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":" check."},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_w1","type":"function","function":{"name":"bmcp_weather_forecast","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Pa"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ris\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":40,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}}}

        data: [DONE]


        """;

    /// <summary>Turn 2: the answer in text, with escapes that a byte splice of the id must keep.</summary>
    public const string TextAnswer = """
        data: {"id":"chatcmpl-LoopT2","object":"chat.completion.chunk","created":1741571002,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT2","object":"chat.completion.chunk","created":1741571002,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":" Sunny \u2014 \"24 \u00b0C\""},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT2","object":"chat.completion.chunk","created":1741571002,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":" in Paris."},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT2","object":"chat.completion.chunk","created":1741571002,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-LoopT2","object":"chat.completion.chunk","created":1741571002,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":150,"completion_tokens":10,"total_tokens":160,"prompt_tokens_details":{"cached_tokens":100,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":4,"audio_tokens":0}}}

        data: [DONE]


        """;

    /// <summary>What the client receives for the two turns above when it asked for usage: one coherent stream.</summary>
    public const string TwoTurnsToClient = """
        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"Let me"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":" check."},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571002,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":" Sunny \u2014 \"24 \u00b0C\""},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571002,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":" in Paris."},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571002,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-LoopT1","object":"chat.completion.chunk","created":1741571002,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":250,"completion_tokens":30,"total_tokens":280,"prompt_tokens_details":{"cached_tokens":140,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":4,"audio_tokens":0}}}

        data: [DONE]


        """;

    /// <summary>An injected call (index 0) and a client call (index 1), both starting in one chunk's tool_calls.</summary>
    public const string MixedCalls = """
        data: {"id":"chatcmpl-Mixed","object":"chat.completion.chunk","created":1741571100,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_inj","type":"function","function":{"name":"bmcp_weather_forecast","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-Mixed","object":"chat.completion.chunk","created":1741571100,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Paris\"}"}},{"index":1,"id":"call_cli","type":"function","function":{"name":"read_file","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-Mixed","object":"chat.completion.chunk","created":1741571100,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"path\":\"a.txt\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-Mixed","object":"chat.completion.chunk","created":1741571100,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

        data: {"id":"chatcmpl-Mixed","object":"chat.completion.chunk","created":1741571100,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":80,"completion_tokens":30,"total_tokens":110,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}

        data: [DONE]


        """;

    public const string MixedCallsToClient = """
        data: {"id":"chatcmpl-Mixed","object":"chat.completion.chunk","created":1741571100,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-Mixed","object":"chat.completion.chunk","created":1741571100,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_cli","type":"function","function":{"name":"read_file","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-Mixed","object":"chat.completion.chunk","created":1741571100,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"path\":\"a.txt\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-Mixed","object":"chat.completion.chunk","created":1741571100,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

        data: {"id":"chatcmpl-Mixed","object":"chat.completion.chunk","created":1741571100,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":80,"completion_tokens":30,"total_tokens":110,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}

        data: [DONE]


        """;

    /// <summary>Two injected calls in parallel, their argument pieces interleaved.</summary>
    public const string ParallelInjected = """
        data: {"id":"chatcmpl-Par","object":"chat.completion.chunk","created":1741571200,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"bmcp_weather_forecast","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-Par","object":"chat.completion.chunk","created":1741571200,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-Par","object":"chat.completion.chunk","created":1741571200,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"bmcp_clock_now","arguments":"{\"tz\":"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-Par","object":"chat.completion.chunk","created":1741571200,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}},{"index":1,"function":{"arguments":"\"Europe/Paris\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-Par","object":"chat.completion.chunk","created":1741571200,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

        data: {"id":"chatcmpl-Par","object":"chat.completion.chunk","created":1741571200,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":90,"completion_tokens":40,"total_tokens":130,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}

        data: [DONE]


        """;

    public const string InjectedCallBody = """
        {"id":"chatcmpl-BodyT1","object":"chat.completion","created":1741571300,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Let me check.","tool_calls":[{"id":"call_w1","type":"function","function":{"name":"bmcp_weather_forecast","arguments":"{\"city\":\"Paris\"}"}}],"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":40,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}},"service_tier":"default","system_fingerprint":"fp_1"}
        """;

    public const string AnswerBody = """
        {"id":"chatcmpl-BodyT2","object":"chat.completion","created":1741571302,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":" Sunny in Paris.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":150,"completion_tokens":10,"total_tokens":160,"prompt_tokens_details":{"cached_tokens":100,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":4,"audio_tokens":0}},"service_tier":"default","system_fingerprint":"fp_1"}
        """;

    public const string MergedBody = """
        {"id":"chatcmpl-BodyT1","object":"chat.completion","created":1741571302,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Let me check. Sunny in Paris.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":250,"completion_tokens":30,"total_tokens":280,"prompt_tokens_details":{"cached_tokens":140,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":4,"audio_tokens":0}},"service_tier":"default","system_fingerprint":"fp_1"}
        """;
}
