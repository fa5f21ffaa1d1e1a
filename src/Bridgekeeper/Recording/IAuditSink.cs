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

    /// <summary>Queues a record of an admitted interception. Always succeeds (admission bounds the queue).</summary>
    void Record(AuditRecord record);

    /// <summary>Marks an admitted interception as finished recording.</summary>
    void Release();
}
