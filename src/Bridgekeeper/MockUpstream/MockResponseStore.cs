using System.Text.Json.Nodes;

namespace Bridgekeeper.MockUpstream;

/// <summary>The latest Responses API response objects the mock produced, by id, for <c>GET /v1/responses/{id}</c> and <c>previous_response_id</c>.</summary>
internal sealed class MockResponseStore(int capacity)
{
    public const int DefaultCapacity = 1000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, byte[]> _responses = [];
    private readonly Queue<string> _order = new();

    /// <summary>Adds or replaces the response; the oldest one goes once more than the capacity are kept.</summary>
    public void Put(string id, JsonNode response)
    {
        var bytes = MockJson.ToBytes(response);
        lock (_lock)
        {
            if (!_responses.ContainsKey(id))
            {
                _order.Enqueue(id);
                if (_order.Count > capacity)
                    _responses.Remove(_order.Dequeue());
            }
            _responses[id] = bytes;
        }
    }

    public bool Contains(string id)
    {
        lock (_lock) return _responses.ContainsKey(id);
    }

    public JsonNode? Get(string id)
    {
        byte[]? bytes;
        lock (_lock) _responses.TryGetValue(id, out bytes);
        return bytes is null ? null : JsonNode.Parse(bytes);
    }
}
