namespace Bridgekeeper.Tests.Providers;

/// <summary>Recorded Chat Completions streams (shapes as OpenAI sends them with <c>include_usage</c>).</summary>
internal static class OpenAIChatFixtures
{
    public const string TextWithUsage = """
        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_ee1d74bde0","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_ee1d74bde0","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_ee1d74bde0","choices":[{"index":0,"delta":{"content":" there \u2014 \"quoted\"\n"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_ee1d74bde0","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_ee1d74bde0","choices":[],"usage":{"prompt_tokens":1534,"completion_tokens":412,"total_tokens":1946,"prompt_tokens_details":{"cached_tokens":1280,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":256,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

        data: [DONE]


        """;

    public const string UsageChunk = """
        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_ee1d74bde0","choices":[],"usage":{"prompt_tokens":1534,"completion_tokens":412,"total_tokens":1946,"prompt_tokens_details":{"cached_tokens":1280,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":256,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}


        """;

    /// <summary>Two parallel tool calls, their arguments split in several pieces and interleaved, then usage.</summary>
    public const string ParallelToolCalls = """
        data: {"id":"chatcmpl-BTool","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_read_1","type":"function","function":{"name":"read_file","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BTool","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"pa"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BTool","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"th\": \"src/"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BTool","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_grep_2","type":"function","function":{"name":"grep","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BTool","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"pattern\":"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BTool","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"main.cs\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BTool","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":" \"\\\\bTODO\\\\b\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-BTool","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

        : processing

        data: {"id":"chatcmpl-BTool","object":"chat.completion.chunk","created":1741570000,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":900,"completion_tokens":60,"total_tokens":960,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}

        data: [DONE]


        """;

    /// <summary>An error in mid-stream, as OpenAI sends it after a 200.</summary>
    public const string MidStreamError = """
        data: {"id":"chatcmpl-BErr","object":"chat.completion.chunk","created":1741570100,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":"Par"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}


        """;

    public const string ToolCallBody = """
        {
          "id": "chatcmpl-BBody",
          "object": "chat.completion",
          "created": 1741570200,
          "model": "gpt-4.1-2025-04-14",
          "choices": [
            {
              "index": 0,
              "message": {
                "role": "assistant",
                "content": null,
                "tool_calls": [
                  { "id": "call_a", "type": "function", "function": { "name": "read_file", "arguments": "{\"path\":\"a.txt\"}" } },
                  { "id": "call_b", "type": "function", "function": { "name": "list_dir", "arguments": "{}" } }
                ],
                "refusal": null,
                "annotations": []
              },
              "logprobs": null,
              "finish_reason": "tool_calls"
            }
          ],
          "usage": {
            "prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99,
            "prompt_tokens_details": { "cached_tokens": 64, "audio_tokens": 0 },
            "completion_tokens_details": { "reasoning_tokens": 5, "audio_tokens": 0 }
          },
          "service_tier": "default",
          "system_fingerprint": "fp_1"
        }
        """;
}
