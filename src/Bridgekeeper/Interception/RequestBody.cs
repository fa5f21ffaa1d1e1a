using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Interception;

/// <summary>
/// Reads a request body whole into one array, refusing anything over the configured limit before buffering it. Each
/// read is copied out and released at once, so the body is held once: in an array of its declared length, or (chunked)
/// in one that grows by doubling and is trimmed at the end.
/// </summary>
internal static class RequestBody
{
    private const int FirstChunkedSize = 16 * 1024;

    /// <returns>The body, or null when it exceeds <paramref name="limit"/>.</returns>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        limit = Math.Min(limit, Array.MaxLength);
        if (request.ContentLength > limit)
            return null;
        var declared = request.ContentLength;
        var body = declared is { } length ? new byte[length] : new byte[(int)Math.Min(FirstChunkedSize, limit)];
        var filled = 0L;
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (filled + buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }
            if (filled + buffer.Length > body.Length)
                Array.Resize(ref body, (int)Math.Min(limit, Math.Max(filled + buffer.Length, 2L * body.Length)));
            buffer.CopyTo(body.AsSpan((int)filled));
            filled += buffer.Length;
            reader.AdvanceTo(buffer.End);
            if (result.IsCompleted)
                break;
        }
        return filled == body.Length ? body : body[..(int)filled];
    }
}
