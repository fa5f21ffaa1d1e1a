using System.Collections.Concurrent;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Interception;

/// <summary>
/// Which user created each stored upstream response (OpenAI Responses ids, <c>resp_...</c>), so that nobody else can read
/// it (<c>GET /v1/responses/{id}</c>) or continue it (<c>previous_response_id</c>) with the gateway's key. A response is
/// remembered here when its usage is recorded, and found in the audit trail otherwise (another replica, a restart). An
/// id that is in neither may still be on its way to the database (its audit records linger up to a moment before they
/// are written), so a lookup that finds nothing looks again a few times, for about a second, before it answers no: only
/// someone else's or a made-up id pays that wait.
/// </summary>
internal sealed class ResponseOwners(AuditStore store, TimeProvider time)
{
    private const int Capacity = 100_000;
    private static readonly TimeSpan[] Retries = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(600)];
    private readonly ConcurrentDictionary<string, Guid> _owners = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public void Remember(string responseId, Guid userId)
    {
        if (!_owners.TryAdd(responseId, userId))
            return;
        _order.Enqueue(responseId);
        while (_owners.Count > Capacity && _order.TryDequeue(out var oldest))
            _owners.TryRemove(oldest, out _);
    }

    /// <summary>Whether <paramref name="userId"/> created the response; false for anyone else's id and for an unknown one.</summary>
    public async Task<bool> IsOwnerAsync(string responseId, Guid userId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var owner = _owners.TryGetValue(responseId, out var known) ? known : await store.ResponseOwnerAsync(responseId, cancellationToken);
            if (owner is { } found)
            {
                Remember(responseId, found);
                return found == userId;
            }
            if (attempt == Retries.Length)
                return false;
            await Task.Delay(Retries[attempt], time, cancellationToken);
        }
    }
}
