using System.Net.Sockets;
using System.Text;

namespace Bridgekeeper.EndToEndTests.Hostile;

/// <summary>
/// HTTP/1.1 written by hand on a socket, so a test sends the exact request target and framing it means to:
/// <see cref="HttpClient"/> and <see cref="Uri"/> would turn <c>\</c> into <c>/</c>, resolve dot segments and escape
/// control characters before the gateway ever saw them.
/// </summary>
internal static class RawHttp
{
    internal sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string Text => Encoding.UTF8.GetString(Body);
    }

    /// <param name="target">The request target, sent as these bytes (Latin-1 for chars above 0x7F, so raw bytes can be sent).</param>
    /// <param name="chunked">Send the body with <c>Transfer-Encoding: chunked</c> in a few chunks instead of <c>Content-Length</c>.</param>
    public static async Task<Response> SendAsync(Uri server, string method, byte[] target, IEnumerable<(string Name, string Value)> headers,
        byte[]? body, bool chunked, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancellationToken);
        await using var stream = client.GetStream();
        var request = new List<byte>();
        request.AddRange(Encoding.ASCII.GetBytes(method + " "));
        request.AddRange(target);
        request.AddRange(Encoding.ASCII.GetBytes($" HTTP/1.1\r\nHost: {server.Authority}\r\n"));
        var hasConnection = false;
        foreach (var (name, value) in headers)
        {
            hasConnection |= name.Equals("Connection", StringComparison.OrdinalIgnoreCase);
            request.AddRange(Encoding.UTF8.GetBytes($"{name}: {value}\r\n"));
        }
        if (!hasConnection)
            request.AddRange("Connection: close\r\n"u8.ToArray());
        if (body is not null && chunked)
        {
            request.AddRange("Transfer-Encoding: chunked\r\n\r\n"u8.ToArray());
            for (var at = 0; at < body.Length; at += 7)
            {
                var piece = body.AsSpan(at, Math.Min(7, body.Length - at));
                request.AddRange(Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n"));
                request.AddRange(piece.ToArray());
                request.AddRange("\r\n"u8.ToArray());
            }
            request.AddRange("0\r\n\r\n"u8.ToArray());
        }
        else if (body is not null)
        {
            request.AddRange(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
            request.AddRange(body);
        }
        else
        {
            request.AddRange("\r\n"u8.ToArray());
        }
        await stream.WriteAsync(request.ToArray(), cancellationToken);
        return await ReadResponseAsync(stream, method == "HEAD", cancellationToken);
    }

    private static async Task<Response> ReadResponseAsync(NetworkStream stream, bool head, CancellationToken cancellationToken)
    {
        var reader = new Reader(stream);
        var statusLine = await reader.LineAsync(cancellationToken);
        var status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var line = await reader.LineAsync(cancellationToken); line.Length > 0; line = await reader.LineAsync(cancellationToken))
        {
            var colon = line.IndexOf(':');
            var name = line[..colon].Trim();
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + line[(colon + 1)..].Trim() : line[(colon + 1)..].Trim();
        }
        if (head || status is 204 or 304 or < 200)
            return new Response(status, headers, []);
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var body = new List<byte>();
            while (true)
            {
                var size = Convert.ToInt32((await reader.LineAsync(cancellationToken)).Split(';')[0].Trim(), 16);
                if (size == 0)
                    break;
                body.AddRange(await reader.BytesAsync(size, cancellationToken));
                await reader.LineAsync(cancellationToken);
            }
            return new Response(status, headers, [.. body]);
        }
        if (headers.TryGetValue("Content-Length", out var length))
            return new Response(status, headers, await reader.BytesAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture), cancellationToken));
        return new Response(status, headers, await reader.RestAsync(cancellationToken));
    }

    /// <summary>Reads lines and counted bytes from a stream, keeping what it read ahead.</summary>
    private sealed class Reader(Stream stream)
    {
        private readonly List<byte> _buffer = [];
        private bool _ended;

        public async Task<string> LineAsync(CancellationToken cancellationToken)
        {
            int end;
            while ((end = _buffer.IndexOf((byte)'\n')) < 0)
            {
                if (!await FillAsync(cancellationToken))
                    throw new IOException("The connection closed inside a line.");
            }
            var line = Encoding.Latin1.GetString([.. _buffer.Take(end)]).TrimEnd('\r');
            _buffer.RemoveRange(0, end + 1);
            return line;
        }

        public async Task<byte[]> BytesAsync(int count, CancellationToken cancellationToken)
        {
            while (_buffer.Count < count)
            {
                if (!await FillAsync(cancellationToken))
                    throw new IOException($"The connection closed after {_buffer.Count} of {count} bytes.");
            }
            var bytes = _buffer.Take(count).ToArray();
            _buffer.RemoveRange(0, count);
            return bytes;
        }

        public async Task<byte[]> RestAsync(CancellationToken cancellationToken)
        {
            while (await FillAsync(cancellationToken))
            {
            }
            return [.. _buffer];
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_ended)
                return false;
            var chunk = new byte[16 * 1024];
            var read = await stream.ReadAsync(chunk, cancellationToken);
            _ended = read == 0;
            _buffer.AddRange(chunk.AsSpan(0, read).ToArray());
            return read > 0;
        }
    }
}
