using Bridgekeeper.Storage;

namespace Bridgekeeper.Recording;

/// <summary>Where interceptions send their audit records. Never blocks and never waits on the database.</summary>
internal interface IAuditSink
{
    /// <summary>
    /// Admits a new interception when the queue has room; false means "refuse it with 503". An admitted
    /// interception must call <see cref="Release"/> once it has recorded its end.
    /// </summary>
    bool TryAdmit();

    /// <summary>
    /// Queues records of an admitted interception made at one moment (a start and its prompt, an exchange's usage, tool
    /// calls and thoughts): with a spool, they are spooled with one write. Always succeeds (admission bounds the queue).
    /// </summary>
    void Record(params ReadOnlySpan<AuditRecord> records);

    /// <summary>Marks an admitted interception as finished recording.</summary>
    void Release();
}
