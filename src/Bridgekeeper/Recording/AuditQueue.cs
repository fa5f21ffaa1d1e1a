using System.Threading.Channels;
using Bridgekeeper.Storage;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Recording;

/// <summary>
/// The in-memory queue between interceptions and <see cref="AuditWriter"/>. New interceptions are admitted only
/// while fewer than <c>capacity</c> records wait, so the database being down or slow turns into 503s for new work
/// rather than lost records; records of interceptions already admitted always get in (the channel itself is unbounded).
/// </summary>
internal sealed partial class AuditQueue(int capacity, bool structuredLogging, ILogger<AuditQueue> logger) : IAuditSink
{
    private readonly Channel<AuditRecord> _channel = Channel.CreateUnbounded<AuditRecord>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });
    private int _inFlight;
    private int _pending;
    private long _refused;

    public ChannelReader<AuditRecord> Reader => _channel.Reader;

    /// <summary>Interceptions admitted and not yet released.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Records queued or being written, not yet committed.</summary>
    public int Depth => Volatile.Read(ref _pending);

    /// <summary>Interceptions refused because the queue was full, since start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public bool TryAdmit()
    {
        if (Volatile.Read(ref _pending) >= capacity)
        {
            Interlocked.Increment(ref _refused);
            LogQueueFull(capacity);
            return false;
        }
        Interlocked.Increment(ref _inFlight);
        return true;
    }

    public void Record(AuditRecord record)
    {
        Interlocked.Increment(ref _pending);
        if (!_channel.Writer.TryWrite(record))
        {
            Interlocked.Decrement(ref _pending);
            LogRecordAfterShutdown(record.InterceptionId, record.GetType().Name);
        }
        else if (structuredLogging)
            StructuredAuditLog.Write(logger, record);
    }

    public void Release() => Interlocked.Decrement(ref _inFlight);

    /// <summary>The writer committed <paramref name="count"/> records.</summary>
    public void Committed(int count) => Interlocked.Add(ref _pending, -count);

    /// <summary>No more records will come; the writer drains what is queued and stops.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit queue is full ({Capacity} records waiting); refusing new interceptions until it drains")]
    private partial void LogQueueFull(int capacity);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit record {RecordType} of interception {InterceptionId} arrived after the queue closed")]
    private partial void LogRecordAfterShutdown(Guid interceptionId, string recordType);
}
