using System.Threading.Channels;
using Bridgekeeper.Storage;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Recording;

/// <summary>
/// The in-memory queue between interceptions and <see cref="AuditWriter"/>. New interceptions are admitted only
/// while fewer than <c>capacity</c> records, and fewer than <c>capacityBytes</c> bytes of them, wait: the database
/// being down or slow turns into 503s for new work rather than lost records or unbounded memory; records of
/// interceptions already admitted always get in (the channel itself is unbounded, and each record's texts are bounded).
/// </summary>
internal sealed partial class AuditQueue(int capacity, long capacityBytes, bool structuredLogging, ILogger<AuditQueue> logger) : IAuditSink
{
    private readonly Channel<AuditRecord> _channel = Channel.CreateUnbounded<AuditRecord>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });
    private int _inFlight;
    private int _pending;
    private long _pendingBytes;
    private long _refused;

    public ChannelReader<AuditRecord> Reader => _channel.Reader;

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
        if (Volatile.Read(ref _pending) >= capacity || Interlocked.Read(ref _pendingBytes) >= capacityBytes)
        {
            Interlocked.Increment(ref _refused);
            LogQueueFull(Volatile.Read(ref _pending), Interlocked.Read(ref _pendingBytes));
            return false;
        }
        Interlocked.Increment(ref _inFlight);
        return true;
    }

    public void Record(AuditRecord record)
    {
        Interlocked.Increment(ref _pending);
        Interlocked.Add(ref _pendingBytes, SizeOf(record));
        if (!_channel.Writer.TryWrite(record))
        {
            Interlocked.Decrement(ref _pending);
            Interlocked.Add(ref _pendingBytes, -SizeOf(record));
            LogRecordAfterShutdown(record.InterceptionId, record.GetType().Name);
        }
        else if (structuredLogging)
            StructuredAuditLog.Write(logger, record);
    }

    public void Release() => Interlocked.Decrement(ref _inFlight);

    /// <summary>The writer committed these records.</summary>
    public void Committed(IReadOnlyList<AuditRecord> records)
    {
        var bytes = 0L;
        foreach (var record in records)
            bytes += SizeOf(record);
        Interlocked.Add(ref _pendingBytes, -bytes);
        Interlocked.Add(ref _pending, -records.Count);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit record {RecordType} of interception {InterceptionId} arrived after the queue closed")]
    private partial void LogRecordAfterShutdown(Guid interceptionId, string recordType);
}
