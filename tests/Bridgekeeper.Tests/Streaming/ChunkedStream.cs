namespace Bridgekeeper.Tests.Streaming;

/// <summary>A read-only stream that hands out its bytes in chunks of the sizes a function picks, like a slow network.</summary>
internal sealed class ChunkedStream(byte[] content, Func<int> nextChunkSize) : Stream
{
    private int _position;

    public static ChunkedStream OneByte(byte[] content) => new(content, () => 1);

    public static ChunkedStream Random(byte[] content, int seed, int maxChunk = 64)
    {
        var random = new Random(seed);
        return new(content, () => random.Next(1, maxChunk + 1));
    }

    public static ChunkedStream Whole(byte[] content) => new(content, () => int.MaxValue);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => content.Length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = Math.Min(Math.Min(buffer.Length, nextChunkSize()), content.Length - _position);
        content.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
