namespace Bridgekeeper.Streaming;

/// <summary>
/// One server-sent event as it came over the wire. <see cref="Raw"/> is the exact bytes of the frame,
/// including its terminating blank line, so relaying it is byte-for-byte. <see cref="Data"/> is the
/// joined <c>data:</c> payload (lines joined with '\n'); <see cref="EventType"/> is null when the frame had no
/// <c>event:</c> line. A frame of only comments has empty data.
/// </summary>
internal readonly record struct SseEvent(ReadOnlyMemory<byte> Raw, string? EventType, ReadOnlyMemory<byte> Data);
