using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Bridgekeeper.Streaming;

/// <summary>
/// Splits an SSE byte stream into frames, keeping each frame's exact bytes so the gateway relays them byte-for-byte.
/// Written by hand because <c>System.Net.ServerSentEvents.SseParser</c> does not expose a frame's raw bytes
/// (and it drops comments and an unterminated last frame, which we must still forward).
/// </summary>
internal static class SseEventReader
{
    private const int BufferSize = 16 * 1024;

    /// <summary>
    /// Yields every frame of <paramref name="stream"/> in order. Concatenating all <see cref="SseEvent.Raw"/> values
    /// reproduces the input exactly; a non-empty unterminated frame at the end is yielded as it is.
    /// The memory of each event is valid only until the next <c>MoveNextAsync</c>: copy what must outlive it.
    /// The stream is left open; the caller owns it.
    /// </summary>
    public static async IAsyncEnumerable<SseEvent> ReadAsync(
        Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: BufferSize, leaveOpen: true));
        var parser = new SseFrameParser();
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                while (parser.TryReadFrame(ref buffer, result.IsCompleted, out var frame))
                    yield return frame;    // still backed by the pipe's buffer: we advance only after the loop

                if (result.IsCompleted || result.IsCanceled)
                    yield break;
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }
}
