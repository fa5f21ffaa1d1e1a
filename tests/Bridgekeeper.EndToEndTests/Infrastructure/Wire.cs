using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Bridgekeeper.EndToEndTests.Infrastructure;

/// <summary>Small helpers for building requests and picking apart SSE bytes in assertions.</summary>
internal static class Wire
{
    public static HttpRequestMessage Post(string path, string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    /// <summary>Splits an SSE body into frames (each including its blank line), assuming LF line ends.</summary>
    public static IReadOnlyList<string> Frames(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var frames = new List<string>();
        var start = 0;
        for (var end = text.IndexOf("\n\n", StringComparison.Ordinal); end >= 0; end = text.IndexOf("\n\n", start, StringComparison.Ordinal))
        {
            frames.Add(text[start..(end + 2)]);
            start = end + 2;
        }
        if (start < text.Length)
            frames.Add(text[start..]);
        return frames;
    }

    /// <summary>The JSON payloads of the frames' <c>data:</c> lines (skipping <c>[DONE]</c>).</summary>
    public static IEnumerable<JsonElement> DataObjects(byte[] body) =>
        Frames(body).SelectMany(f => f.Split('\n'))
            .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.Clone());

    public static JsonElement Json(byte[] body) => JsonDocument.Parse(body).RootElement.Clone();

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values) : "";
}
