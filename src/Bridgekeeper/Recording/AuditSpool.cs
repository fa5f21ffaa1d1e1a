using System.Globalization;
using Bridgekeeper.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Bridgekeeper.Recording;

/// <summary>Where a frame starts in the spool: a segment and a byte offset in it.</summary>
internal readonly record struct SpoolPosition(long Segment, long Offset);

/// <summary>
/// The audit spool: every admitted record is appended, as a <see cref="SpoolFrames"/> frame, to a segment file
/// (<c>NNNNNNNNNNNN.seg</c>) before it is queued, with one write to the OS for the records made at one moment and no fsync (unless <c>spool_fsync</c>, then
/// one per batch the writer takes). A segment is deleted once it is no longer the one written and every record in it
/// is committed. Segments left by an earlier run (a crash: a clean stop leaves none) are replayed before the gateway
/// serves. The spool's size is its uncommitted bytes; past its capacity new interceptions get 503. A lock file keeps a
/// second gateway out of the folder.
/// </summary>
internal sealed partial class AuditSpool : IDisposable
{
    public const long SegmentBytes = 16L << 20;
    private const string Extension = ".seg";
    private const int ReadChunkBytes = 1 << 20;

    private readonly Lock _lock = new();
    private readonly string _folder;
    private readonly FileStream _lockFile;
    private readonly Dictionary<long, Segment> _segments = [];
    private readonly ILogger<AuditSpool> _logger;
    private Segment? _current;
    private long _next;
    private long _bytes;
    private bool _unsynced;

    private AuditSpool(string folder, FileStream lockFile, long capacity, bool fsync, IReadOnlyList<string> leftovers, long next, ILogger<AuditSpool> logger)
    {
        _folder = folder;
        _lockFile = lockFile;
        Capacity = capacity;
        Fsync = fsync;
        Leftovers = leftovers;
        _next = next;
        _logger = logger;
    }

    public long Capacity { get; }
    public bool Fsync { get; }

    /// <summary>Segments an earlier run left, oldest first: replayed by <see cref="AuditSpoolReplay"/> before serving.</summary>
    public IReadOnlyList<string> Leftovers { get; }

    /// <summary>Bytes of records spooled and not yet committed.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public bool IsFull => Bytes >= Capacity;

    /// <summary>Segment files of this run on disk.</summary>
    public int SegmentCount
    {
        get { lock (_lock) return _segments.Count; }
    }

    /// <summary>Where the next frame will start.</summary>
    public SpoolPosition End
    {
        get { lock (_lock) return _current is { } current ? new(current.Number, current.Length) : new(_next, 0); }
    }

    /// <exception cref="IOException">The folder cannot be made or locked (another gateway holds it).</exception>
    public static AuditSpool Open(string folder, long capacity, bool fsync, ILogger<AuditSpool> logger)
    {
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        var lockFile = new FileStream(Path.Combine(folder, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var leftovers = Directory.GetFiles(folder, "*" + Extension).Where(p => Number(p) >= 0).OrderBy(Number).ToList();
        var next = leftovers.Count == 0 ? 1 : Number(leftovers[^1]) + 1;
        return new AuditSpool(folder, lockFile, capacity, fsync, leftovers, next, logger);
    }

    /// <summary>
    /// Appends frames made at one moment (an interception's start and prompt, an exchange's records) with one gathered
    /// write to the OS, all in one segment, and returns where the first starts.
    /// </summary>
    /// <exception cref="IOException">The write failed (the disk is full); none of the frames is in the spool.</exception>
    public SpoolPosition Append(IReadOnlyList<ReadOnlyMemory<byte>> frames)
    {
        var bytes = 0;
        foreach (var frame in frames)
            bytes += frame.Length;
        lock (_lock)
        {
            if (_current is null || _current.Length >= SegmentBytes)
                Rotate();
            var current = _current!;
            var at = new SpoolPosition(current.Number, current.Length);
            try
            {
                RandomAccess.Write(current.Handle, frames, current.Length);
            }
            catch (IOException)
            {
                RandomAccess.SetLength(current.Handle, current.Length);   // no partial frame stays in front of later ones
                throw;
            }
            current.Length += bytes;
            current.Pending += frames.Count;
            _unsynced = true;
            Interlocked.Add(ref _bytes, bytes);
            return at;
        }
    }

    /// <summary>These records of <paramref name="segment"/> are committed; a finished segment whose records all are goes away.</summary>
    public void Committed(long segment, int records, long bytes)
    {
        Interlocked.Add(ref _bytes, -bytes);
        lock (_lock)
        {
            if (!_segments.TryGetValue(segment, out var entry))
                return;
            entry.Pending -= records;
            if (entry.Pending <= 0 && entry != _current)
                Delete(entry);
        }
    }

    /// <summary>With <c>spool_fsync</c>: flushes what was appended since the last call to the disk.</summary>
    public void Sync()
    {
        if (!Fsync)
            return;
        lock (_lock)
        {
            if (!_unsynced || _current is null)
                return;
            RandomAccess.FlushToDisk(_current.Handle);
            _unsynced = false;
        }
    }

    /// <summary>
    /// Reads whole frames from <paramref name="from"/> up to <paramref name="end"/> (both from <see cref="Append"/> or
    /// <see cref="End"/> of this run) into <paramref name="into"/>, at most <paramref name="max"/> records or about
    /// <paramref name="maxBytes"/>; returns where it stopped.
    /// </summary>
    public SpoolPosition Read(SpoolPosition from, SpoolPosition end, List<QueuedRecord> into, int max, long maxBytes)
    {
        var position = from;
        var bytes = 0L;
        while (into.Count < max && bytes < maxBytes && position != end)
        {
            Segment segment;
            lock (_lock)
                segment = _segments[position.Segment];
            var stop = position.Segment == end.Segment ? end.Offset : segment.Length;   // a finished segment's length no longer changes
            if (position.Offset >= stop)
            {
                position = new(position.Segment + 1, 0);
                continue;
            }
            var header = new byte[SpoolFrames.HeaderBytes];
            RandomAccess.Read(segment.Handle, header, position.Offset);
            var first = SpoolFrames.HeaderBytes + Math.Clamp(System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(header), 0, SpoolFrames.MaxPayloadBytes);
            var chunk = new byte[(int)Math.Min(stop - position.Offset, Math.Max(first, ReadChunkBytes))];
            var read = RandomAccess.Read(segment.Handle, chunk, position.Offset);
            var offset = 0;
            while (into.Count < max && bytes < maxBytes && SpoolFrames.Measure(chunk.AsSpan(offset, read - offset)) is var length and > 0)
            {
                var (record, rowId) = SpoolFrames.Decode(chunk, offset, length);
                into.Add(new QueuedRecord(record, rowId, position.Segment, length));
                offset += length;
                bytes += length;
            }
            if (offset == 0)
                throw new InvalidDataException($"Spool segment {segment.Path} holds no whole frame at byte {position.Offset}.");
            position = position with { Offset = position.Offset + offset };
        }
        return position;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var segment in _segments.Values.ToList())
            {
                if (segment.Pending <= 0)
                    Delete(segment);
                else
                    segment.Handle.Dispose();
            }
            _current = null;
        }
        _lockFile.Dispose();
    }

    /// <summary>A segment file's number, or -1 when the name is not one.</summary>
    public static long Number(string path) =>
        long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : -1;

    private void Rotate()
    {
        if (_current is { } old)
        {
            if (Fsync && _unsynced)
                RandomAccess.FlushToDisk(old.Handle);
            if (old.Pending <= 0)
                Delete(old);
        }
        var number = _next++;
        var path = Path.Combine(_folder, number.ToString("D12", CultureInfo.InvariantCulture) + Extension);
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        _current = new Segment(number, path, handle);
        _segments[number] = _current;
    }

    private void Delete(Segment segment)
    {
        segment.Handle.Dispose();
        _segments.Remove(segment.Number);
        try
        {
            File.Delete(segment.Path);
        }
        catch (IOException exception)
        {
            LogDeleteFailed(segment.Path, exception);
        }
    }

    private sealed class Segment(long number, string path, SafeFileHandle handle)
    {
        public long Number { get; } = number;
        public string Path { get; } = path;
        public SafeFileHandle Handle { get; } = handle;
        public long Length { get; set; }
        public int Pending { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the finished spool segment {Path}")]
    private partial void LogDeleteFailed(string path, Exception exception);
}
