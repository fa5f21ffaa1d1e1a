using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Interception;

/// <summary>
/// Reads request bodies whole into one array each, under two bounds in bytes: one body may hold at most
/// <c>max_request_body</c> (413), and all the bodies held at once at most <c>request_buffer_bytes</c> (503 with
/// <c>Retry-After</c>: the gateway is full, not the request wrong). Each read is copied out of Kestrel's buffers and
/// released at once, so a body is held once: in an array of its declared length, or (chunked) in one that grows by
/// doubling, reserved as it grows, and is trimmed at the end.
/// </summary>
internal sealed class RequestBody(long maxBodyBytes, long bufferBytes)
{
    private const int FirstChunkedSize = 16 * 1024;
    private readonly long _bufferBytes = bufferBytes;
    private long _held;

    public long MaxBodyBytes => maxBodyBytes;

    /// <summary>Bytes of request bodies held right now.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>
    /// The body, with the reservation that holds its bytes (dispose it when the body is no longer needed); or null with
    /// the error to answer.
    /// </summary>
    public async Task<(byte[]? Body, Reservation? Reservation, Providers.GatewayError? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = Math.Min(maxBodyBytes, Array.MaxLength);
        if (request.ContentLength > limit)
            return (null, null, TooLarge());
        var reservation = new Reservation(this);
        var declared = request.ContentLength;
        var size = declared ?? Math.Min(FirstChunkedSize, limit);
        if (!reservation.TryGrowTo(size))
            return (null, null, Full());
        var body = new byte[size];
        var filled = 0L;
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (filled + buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                reservation.Dispose();
                return (null, null, TooLarge());
            }
            if (filled + buffer.Length > body.Length)
            {
                var grown = Math.Min(limit, Math.Max(filled + buffer.Length, 2L * body.Length));
                if (!reservation.TryGrowTo(grown))
                {
                    reader.AdvanceTo(buffer.End);
                    reservation.Dispose();
                    return (null, null, Full());
                }
                Array.Resize(ref body, (int)grown);
            }
            buffer.CopyTo(body.AsSpan((int)filled));
            filled += buffer.Length;
            reader.AdvanceTo(buffer.End);
            if (result.IsCompleted)
                break;
        }
        if (filled == body.Length)
            return (body, reservation, null);
        reservation.ShrinkTo(filled);
        return (body[..(int)filled], reservation, null);
    }

    private Providers.GatewayError TooLarge() => Providers.GatewayError.BodyTooLarge(maxBodyBytes);

    private static Providers.GatewayError Full() =>
        Providers.GatewayError.Unavailable("The gateway is holding as many request bodies as it may right now; retry shortly.");

    /// <summary>Bytes of <see cref="Held"/> that belong to one body; given back on dispose.</summary>
    internal sealed class Reservation(RequestBody owner) : IDisposable
    {
        private long _bytes;

        /// <summary>Reserves up to <paramref name="bytes"/> in all; false (and nothing more reserved) when that would pass the bound.</summary>
        public bool TryGrowTo(long bytes)
        {
            var more = bytes - _bytes;
            if (Interlocked.Add(ref owner._held, more) > owner._bufferBytes && more > 0)
            {
                Interlocked.Add(ref owner._held, -more);
                return false;
            }
            _bytes = bytes;
            return true;
        }

        public void ShrinkTo(long bytes)
        {
            Interlocked.Add(ref owner._held, bytes - _bytes);
            _bytes = bytes;
        }

        public void Dispose()
        {
            Interlocked.Add(ref owner._held, -Interlocked.Exchange(ref _bytes, 0));
        }
    }
}
