using System.Buffers;
using System.Text;

namespace Bridgekeeper.Streaming;

/// <summary>
/// The incremental state machine behind <see cref="SseEventReader"/>. It is fed a buffer that always starts at the
/// current frame, remembers how far it has scanned, so each byte is examined once even when a frame spans many reads,
/// and cuts complete frames off the front of the buffer. Lines end in CRLF, LF or CR (SSE spec); a CR at the very end
/// of a buffer waits for the next read to see whether LF follows, unless the stream has ended. One UTF-8 byte order
/// mark at the very start of the stream is ignored when reading fields (SSE spec), and kept in the frame's bytes.
/// </summary>
internal sealed class SseFrameParser
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';
    private const int MaxCachedEventTypes = 16;

    private readonly List<(long Start, long Length)> _dataLines = [];
    private readonly List<(byte[] Bytes, string Text)> _eventTypes = [];
    private long _lineStart;     // offset of the first line not yet processed, from the frame start
    private long _searched;      // offset up to which the current line holds no line end
    private string? _eventType;
    private bool _started;       // whether the stream's start was checked for a byte order mark

    /// <summary>
    /// Cuts the next complete frame off the front of <paramref name="buffer"/>. When the stream has ended
    /// (<paramref name="isFinal"/>), whatever remains is one last frame. Returns false when more bytes are needed.
    /// </summary>
    public bool TryReadFrame(ref ReadOnlySequence<byte> buffer, bool isFinal, out SseEvent frame)
    {
        if (!_started && !SkipByteOrderMark(buffer, isFinal))
        {
            frame = default;
            return false;                                 // fewer than three bytes, all of them a BOM's: wait for more
        }
        var reader = new SequenceReader<byte>(buffer);
        reader.Advance(_searched);
        while (TryReadLine(ref reader, isFinal, out var lineLength))
        {
            var lineStart = _lineStart;
            _lineStart = _searched = reader.Consumed;
            if (lineLength == 0)
                return CutFrame(ref buffer, reader.Consumed, out frame);
            ProcessLine(buffer.Slice(lineStart, lineLength), lineStart);
        }

        if (isFinal && !buffer.IsEmpty)
            return CutFrame(ref buffer, buffer.Length, out frame);
        frame = default;
        return false;
    }

    /// <summary>
    /// At the start of the stream: when it begins with a BOM, lines are read from after it. Returns false while the
    /// bytes so far could still be the start of one.
    /// </summary>
    private bool SkipByteOrderMark(ReadOnlySequence<byte> buffer, bool isFinal)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        Span<byte> head = stackalloc byte[bom.Length];
        var length = (int)Math.Min(buffer.Length, bom.Length);
        buffer.Slice(0, length).CopyTo(head);
        if (!bom.StartsWith(head[..length]))
        {
            _started = true;
            return true;
        }
        if (length < bom.Length && !isFinal)
            return false;
        _started = true;
        if (length == bom.Length)
            _lineStart = _searched = bom.Length;
        return true;
    }

    /// <summary>Finds the end of the line that starts at <see cref="_lineStart"/>; on success the reader is past its line end.</summary>
    private bool TryReadLine(ref SequenceReader<byte> reader, bool isFinal, out long lineLength)
    {
        lineLength = 0;
        if (!AdvanceToLineEnd(ref reader))
        {
            _searched = reader.Consumed;
            if (!isFinal || reader.Consumed == _lineStart)
                return false;
            lineLength = reader.Consumed - _lineStart;    // an unterminated last line
            return true;
        }

        lineLength = reader.Consumed - _lineStart;
        reader.TryRead(out var end);
        if (end == Cr && reader.TryPeek(out var next))
        {
            if (next == Lf)
                reader.Advance(1);
        }
        else if (end == Cr && !isFinal)
        {
            _searched = reader.Consumed - 1;              // a lone CR at the end: CRLF may be split across reads
            return false;
        }
        return true;
    }

    private static bool AdvanceToLineEnd(ref SequenceReader<byte> reader)
    {
        while (!reader.End)
        {
            var span = reader.UnreadSpan;
            var index = span.IndexOfAny(Cr, Lf);
            if (index >= 0)
            {
                reader.Advance(index);
                return true;
            }
            reader.Advance(span.Length);
        }
        return false;
    }

    private void ProcessLine(ReadOnlySequence<byte> line, long lineStart)
    {
        var colon = line.PositionOf((byte)':');
        var name = colon is { } at ? line.Slice(0, at) : line;
        if (name.IsEmpty)
            return;                                       // a comment: kept in Raw, contributes nothing
        var valueStart = colon is null ? line.Length : name.Length + 1;
        var value = line.Slice(valueStart);
        if (new SequenceReader<byte>(value).TryPeek(out var first) && first == (byte)' ')
        {
            value = value.Slice(1);
            valueStart++;
        }

        if (FieldIs(name, "data"u8))
            _dataLines.Add((lineStart + valueStart, value.Length));
        else if (FieldIs(name, "event"u8))
            _eventType = EventTypeText(value);
    }

    private static bool FieldIs(ReadOnlySequence<byte> name, ReadOnlySpan<byte> field)
    {
        if (name.Length != field.Length)
            return false;
        if (name.IsSingleSegment)
            return name.FirstSpan.SequenceEqual(field);
        Span<byte> copy = stackalloc byte[field.Length];
        name.CopyTo(copy);
        return copy.SequenceEqual(field);
    }

    /// <summary>Decodes an event name, reusing the string when the same name came before (the common case).</summary>
    private string EventTypeText(ReadOnlySequence<byte> value)
    {
        ReadOnlySpan<byte> bytes = value.IsSingleSegment ? value.FirstSpan : value.ToArray();
        foreach (var (cached, text) in _eventTypes)
            if (bytes.SequenceEqual(cached))
                return text;

        var decoded = Encoding.UTF8.GetString(bytes);
        if (_eventTypes.Count < MaxCachedEventTypes)
            _eventTypes.Add((bytes.ToArray(), decoded));
        return decoded;
    }

    private bool CutFrame(ref ReadOnlySequence<byte> buffer, long length, out SseEvent frame)
    {
        var slice = buffer.Slice(0, length);
        var raw = slice.IsSingleSegment ? slice.First : slice.ToArray();    // copy only when split across segments
        frame = new SseEvent(raw, _eventType, JoinData(raw));
        buffer = buffer.Slice(length);
        _dataLines.Clear();
        _eventType = null;
        _lineStart = _searched = 0;
        return true;
    }

    private ReadOnlyMemory<byte> JoinData(ReadOnlyMemory<byte> raw)
    {
        if (_dataLines.Count == 0)
            return ReadOnlyMemory<byte>.Empty;
        if (_dataLines.Count == 1)
            return raw.Slice((int)_dataLines[0].Start, (int)_dataLines[0].Length);

        var total = _dataLines.Count - 1;
        foreach (var (_, length) in _dataLines)
            total += (int)length;
        var joined = new byte[total];
        var written = 0;
        for (var i = 0; i < _dataLines.Count; i++)
        {
            var (start, length) = _dataLines[i];
            if (i > 0)
                joined[written++] = Lf;                   // by position, not by bytes written: the first line may be empty
            raw.Span.Slice((int)start, (int)length).CopyTo(joined.AsSpan(written));
            written += (int)length;
        }
        return joined;
    }
}
