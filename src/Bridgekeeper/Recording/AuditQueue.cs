using System.Threading.Channels;
using Bridgekeeper.Storage;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Recording;

/// <summary>
/// The in-memory queue between interceptions and <see cref="AuditWriter"/>. New interceptions are admitted only
/// while fewer than <c>capacity</c> records, and fewer than <c>capacityBytes</c> bytes of them, wait: the database
/// being down or slow turns into 503s for new work rather than lost records or unbounded memory; records of
/// interceptions already admitted always get in (the channel itself is unbounded, and each record's texts are bounded).
/// With an <see cref="AuditSpool"/>, every record is appended to it first, and admission is bounded by the spool's
/// capacity instead: a record that finds the memory bounds reached stays only in the spool (spilled), and so does every
/// record after it until the writer has read the spilled ones back (<see cref="TakeSpilled"/>), which keeps the order.
/// </summary>
internal sealed partial class AuditQueue(int capacity, long capacityBytes, bool structuredLogging, ILogger<AuditQueue> logger, AuditSpool? spool = null)
    : IAuditSink
{
    /// <summary>At most this many bytes of spilled frames are read back into one batch.</summary>
    private const long SpilledBatchBytes = 16L << 20;

    private readonly Lock _order = new();
    private readonly Channel<QueuedRecord> _channel = Channel.CreateUnbounded<QueuedRecord>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });
    private int _inFlight;
    private int _pending;
    private long _pendingBytes;
    private long _refused;
    private bool _spilling;
    private SpoolPosition _spilledFrom;

    public ChannelReader<QueuedRecord> Reader => _channel.Reader;

    public AuditSpool? Spool => spool;

    /// <summary>Interceptions admitted and not yet released.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Records queued or being written, not yet committed.</summary>
    public int Depth => Volatile.Read(ref _pending);

    /// <summary>Approximate memory held by the records queued or being written.</summary>
    public long DepthBytes => Interlocked.Read(ref _pendingBytes);

    /// <summary>Interceptions refused because the queue was full, since start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public bool TryAdmit()
    {
        if (spool?.IsFull ?? !HasRoom)
        {
            Interlocked.Increment(ref _refused);
            if (spool is null)
                LogQueueFull(Volatile.Read(ref _pending), Interlocked.Read(ref _pendingBytes));
            else
                LogSpoolFull(spool.Bytes);
            return false;
        }
        Interlocked.Increment(ref _inFlight);
        return true;
    }

    public void Record(params ReadOnlySpan<AuditRecord> records)
    {
        if (records.IsEmpty)
            return;
        var queued = new QueuedRecord[records.Length];
        for (var i = 0; i < records.Length; i++)
        {
            var record = records[i];
            queued[i] = new QueuedRecord(record, record is InterceptionStarted or InterceptionEnded ? Guid.Empty : AuditIds.New(record.At), Segment: -1, SpoolBytes: 0);
        }
        if (spool is null)
        {
            foreach (var record in queued)
                Enqueue(record);
        }
        else
            AppendToSpool(spool, queued);
        if (structuredLogging)
        {
            foreach (var record in records)
                StructuredAuditLog.Write(logger, record);
        }
    }

    /// <summary>Spools records made at one moment with one write, then queues them (or leaves them spilled).</summary>
    private void AppendToSpool(AuditSpool spool, QueuedRecord[] queued)
    {
        var frames = new ReadOnlyMemory<byte>[queued.Length];
        for (var i = 0; i < queued.Length; i++)
            frames[i] = SpoolFrames.Encode(queued[i].Record, queued[i].RowId);
        lock (_order)
        {
            SpoolPosition at;
            try
            {
                at = spool.Append(frames);
            }
            catch (IOException exception)
            {
                if (_spilling)
                {
                    // Queued now, they would overtake the spilled records before them (a child before its start fails its batch forever).
                    foreach (var record in queued)
                        LogSpilledRecordLost(record.Record.GetType().Name, record.Record.InterceptionId, exception);
                    return;
                }
                LogSpoolWriteFailed(queued[0].Record.InterceptionId, exception);
                foreach (var record in queued)
                    Enqueue(record);
                return;
            }
            if (!_spilling && HasRoom)
            {
                for (var i = 0; i < queued.Length; i++)
                    Enqueue(queued[i] with { Segment = at.Segment, SpoolBytes = frames[i].Length });
            }
            else if (!_spilling)
            {
                // The writer will come for them: the memory bounds are reached, so it holds records to commit.
                _spilling = true;
                _spilledFrom = at;
            }
        }
    }

    private bool HasRoom => Volatile.Read(ref _pending) < capacity && Interlocked.Read(ref _pendingBytes) < capacityBytes;

    private void Enqueue(QueuedRecord queued)
    {
        Interlocked.Increment(ref _pending);
        Interlocked.Add(ref _pendingBytes, SizeOf(queued.Record));
        if (!_channel.Writer.TryWrite(queued))
        {
            Interlocked.Decrement(ref _pending);
            Interlocked.Add(ref _pendingBytes, -SizeOf(queued.Record));
            LogRecordAfterShutdown(queued.Record.InterceptionId, queued.Record.GetType().Name);
        }
    }

    /// <summary>
    /// Reads spilled records back from the spool into <paramref name="batch"/> (once the channel is empty, so the order
    /// holds); false when nothing is spilled. When it has read the last one, records are queued in memory again.
    /// </summary>
    public bool TakeSpilled(List<QueuedRecord> batch, int max)
    {
        SpoolPosition from, end;
        lock (_order)
        {
            if (!_spilling || spool is null)
                return false;
            (from, end) = (_spilledFrom, spool.End);
        }
        var count = batch.Count;
        var next = spool.Read(from, end, batch, max, SpilledBatchBytes);
        for (var i = count; i < batch.Count; i++)
        {
            Interlocked.Increment(ref _pending);
            Interlocked.Add(ref _pendingBytes, SizeOf(batch[i].Record));
        }
        lock (_order)
        {
            _spilledFrom = next;
            if (next == spool.End)
                _spilling = false;
        }
        return batch.Count > count;
    }

    public void Release() => Interlocked.Decrement(ref _inFlight);

    /// <summary>The writer committed these records.</summary>
    public void Committed(IReadOnlyList<QueuedRecord> records)
    {
        var bytes = 0L;
        foreach (var record in records)
            bytes += SizeOf(record.Record);
        Interlocked.Add(ref _pendingBytes, -bytes);
        Interlocked.Add(ref _pending, -records.Count);
        if (spool is null)
            return;
        for (var start = 0; start < records.Count;)
        {
            var (segment, end, spooled) = (records[start].Segment, start, 0L);
            for (; end < records.Count && records[end].Segment == segment; end++)
                spooled += records[end].SpoolBytes;
            if (segment >= 0)
                spool.Committed(segment, end - start, spooled);
            start = end;
        }
    }

    /// <summary>What a queued record holds in memory, roughly: its object and the UTF-16 of its strings.</summary>
    public static long SizeOf(AuditRecord record) => 128 + 2L * record switch
    {
        InterceptionStarted r => r.Provider.Length + r.ProviderType.Length + r.Model.Length + r.Client.Length + Length(r.UserAgent)
            + Length(r.SessionId) + r.MetadataJson.Length,
        InterceptionEnded r => Length(r.Error),
        TokenUsageRecorded r => Length(r.ResponseId) + r.ExtraJson.Length,
        PromptRecorded r => r.Prompt.Length,
        ToolUsageRecorded r => r.Tool.Length + Length(r.ToolCallId) + r.Input.Length + Length(r.ServerUrl) + Length(r.Result) + Length(r.Error),
        ThoughtRecorded r => r.Content.Length + r.Source.Length,
        _ => 0,
    };

    private static int Length(string? text) => text?.Length ?? 0;

    /// <summary>No more records will come; the writer drains what is queued and stops.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit queue is full ({Records} records, {Bytes} bytes waiting); refusing new interceptions until it drains")]
    private partial void LogQueueFull(int records, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit spool is full ({Bytes} bytes not yet committed); refusing new interceptions until it drains")]
    private partial void LogSpoolFull(long bytes);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit record {RecordType} of interception {InterceptionId} is lost: the spool refused it while earlier records wait only there")]
    private partial void LogSpilledRecordLost(string recordType, Guid interceptionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not append an audit record of interception {InterceptionId} to the spool; it is queued in memory only")]
    private partial void LogSpoolWriteFailed(Guid interceptionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit record {RecordType} of interception {InterceptionId} arrived after the queue closed")]
    private partial void LogRecordAfterShutdown(Guid interceptionId, string recordType);
}

/// <summary>
/// A record on its way to the database: the id its row gets (empty for a start or an end), and the spool segment that
/// holds it (-1: none) with its frame's bytes there.
/// </summary>
internal readonly record struct QueuedRecord(AuditRecord Record, Guid RowId, long Segment, int SpoolBytes);
