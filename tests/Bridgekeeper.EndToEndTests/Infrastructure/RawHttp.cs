using System.Net.Sockets;
using System.Text;

namespace Bridgekeeper.EndToEndTests.Infrastructure;

/// <summary>
/// HTTP/1.1 over a plain socket, for request targets that HttpClient would normalize away (<c>..</c>, <c>\</c>,
/// percent-encodings of either): the bytes written are exactly the ones given.
/// </summary>
internal static class RawHttp
{
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

    /// <param name="target">The request target exactly as it goes on the wire, e.g. <c>/openai/v1/models/..%5Cfiles</c>.</param>
    public static async Task<Response> SendAsync(Uri server, string method, string target, IEnumerable<(string Name, string Value)> headers,
        string? body = null)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, ct);
        await using var stream = client.GetStream();
        var request = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        if (body is not null)
            request.Append("Content-Type: application/json\r\nContent-Length: ").Append(Encoding.UTF8.GetByteCount(body)).Append("\r\n");
        request.Append("\r\n").Append(body);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), ct);

        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        var split = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var head = Encoding.ASCII.GetString(bytes, 0, split).Split("\r\n");
        var parsed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':');
            parsed[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var content = bytes[(split + 4)..];
        if (parsed.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            content = Unchunk(content);
        return new Response(int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), parsed, Encoding.UTF8.GetString(content));
    }

    private static byte[] Unchunk(byte[] chunked)
    {
        using var result = new MemoryStream();
        var at = 0;
        while (true)
        {
            var lineEnd = at + chunked.AsSpan(at).IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(chunked, at, lineEnd - at).Split(';')[0], 16);
            if (size == 0)
                return result.ToArray();
            result.Write(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
