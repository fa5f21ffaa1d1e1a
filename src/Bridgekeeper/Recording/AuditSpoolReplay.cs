using Bridgekeeper.Storage;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Recording;

/// <summary>
/// Start-up replay of the segments an earlier run left (it was killed, or the machine lost power): every whole record
/// is written again, in order, in batches, before the gateway serves; then the segment is deleted. Replay is
/// idempotent: rows carry the ids they were spooled with (inserts conflict and do nothing), a start never undoes an end,
/// and an end is the same update again. A segment cut short (a torn last record) is replayed up to the tear, and the
/// tear is logged.
/// </summary>
internal static partial class AuditSpoolReplay
{
    /// <summary>Replays <see cref="AuditSpool.Leftovers"/>; returns the number of records written.</summary>
    /// <exception cref="Exception">The database refused a batch; the segment stays for the next start.</exception>
    public static async Task<int> ReplayAsync(AuditSpool spool, AuditStore store, ILogger logger, CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var path in spool.Leftovers)
        {
            var (records, rowIds, tear) = ReadSegment(path);
            if (tear is { } torn)
                LogTorn(logger, path, torn.Offset, torn.Bytes, records.Count);
            for (var start = 0; start < records.Count; start += AuditWriter.MaxBatchSize)
            {
                var count = Math.Min(AuditWriter.MaxBatchSize, records.Count - start);
                await store.AppendAsync(AuditBatch.Shape(records.GetRange(start, count), rowIds.GetRange(start, count)), cancellationToken);
            }
            File.Delete(path);
            total += records.Count;
        }
        if (spool.Leftovers.Count > 0)
            LogReplayed(logger, total, spool.Leftovers.Count);
        return total;
    }

    /// <summary>The whole records of one segment file, and where a tear starts (with the bytes after it), if there is one.</summary>
    public static (List<AuditRecord> Records, List<Guid> RowIds, (long Offset, long Bytes)? Tear) ReadSegment(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<AuditRecord>();
        var rowIds = new List<Guid>();
        var offset = 0;
        while (offset < bytes.Length && SpoolFrames.Measure(bytes.AsSpan(offset)) is var length and > 0)
        {
            var (record, rowId) = SpoolFrames.Decode(bytes, offset, length);
            records.Add(record);
            rowIds.Add(rowId);
            offset += length;
        }
        return (records, rowIds, offset < bytes.Length ? (offset, bytes.Length - offset) : null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spool segment {Path} is torn at byte {Offset} ({Bytes} bytes after the last whole record were not replayed); replayed the {Count} records before it")]
    private static partial void LogTorn(ILogger logger, string path, long offset, long bytes, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Count} audit records from {Segments} spool segments left by an earlier run")]
    private static partial void LogReplayed(ILogger logger, int count, int segments);
}
