using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.Tests.MockUpstream;

/// <summary>A started mock on 127.0.0.1:0 with a plain client, plus request builders and an SSE splitter.</summary>
internal sealed class MockHarness : IAsyncDisposable
{
    public const string Key = "sk-test";

    private MockHarness(MockUpstreamServer server)
    {
        Server = server;
        Client = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public MockUpstreamServer Server { get; }
    public HttpClient Client { get; }

    public static async Task<MockHarness> StartAsync(MockUpstreamOptions? options = null) =>
        new(await MockUpstreamServer.StartAsync(options ?? new MockUpstreamOptions(), TestContext.Current.CancellationToken));

    public static HttpRequestMessage OpenAIChat(string body, params (string Name, string Value)[] headers)
    {
        var request = Post("openai/v1/chat/completions", body, headers);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return request;
    }

    public static HttpRequestMessage OpenAIResponses(string body, params (string Name, string Value)[] headers)
    {
        var request = Post("openai/v1/responses", body, headers);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return request;
    }

    public static HttpRequestMessage OpenAIGet(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return request;
    }

    public static HttpRequestMessage AnthropicMessages(string body, params (string Name, string Value)[] headers)
    {
        var request = Post("anthropic/v1/messages?beta=true", body, headers);
        request.Headers.Add("x-api-key", Key);
        request.Headers.Add("anthropic-version", "2023-06-01");
        return request;
    }

    public static HttpRequestMessage Post(string path, string body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
            request.Headers.Add(name, value);
        return request;
    }

    public async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpRequestMessage request)
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        return (response, await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>Frames split on blank lines; each with its <c>event:</c> name (or null) and its <c>data:</c> text.</summary>
    public static List<(string? Event, string Data)> Frames(string body)
    {
        List<(string?, string)> frames = [];
        foreach (var frame in body.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = "";
            foreach (var line in frame.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                    name = line["event: ".Length..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    data = line["data: ".Length..];
            }
            frames.Add((name, data));
        }
        return frames;
    }

    /// <summary>
    /// Responses API frames: checks that every data's <c>type</c> is the event name and that <c>sequence_number</c>
    /// counts 0, 1, 2, …; returns the events.
    /// </summary>
    public static List<(string Event, JsonElement Json)> ResponsesEvents(string body)
    {
        var events = Frames(body).Select(frame => (Event: frame.Event!, Json: Json(frame.Data))).ToList();
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Equal(events[i].Event, events[i].Json.GetProperty("type").GetString());
            Assert.Equal(i, events[i].Json.GetProperty("sequence_number").GetInt32());
        }
        return events;
    }

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    public async Task<MockExchange> SingleExchangeAsync()
    {
        var exchange = Assert.Single(Server.Exchanges);
        await exchange.Completed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        return exchange;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
