using System.Buffers.Binary;
using System.IO.Hashing;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Recording;

/// <summary>
/// One audit record as a spool frame: a 4-byte payload length, the payload's CRC-32 (both little-endian), then the
/// payload, a compact binary form of the record and the id its row gets. A frame cut short or failing its CRC is a
/// tear: reading stops there, and everything before it is whole.
/// </summary>
internal static class SpoolFrames
{
    public const int HeaderBytes = 8;

    /// <summary>Far above any record (its texts are bounded); a larger length is a tear, not an allocation.</summary>
    public const int MaxPayloadBytes = 64 << 20;

    /// <summary>
    /// <see cref="Kind.InvoicedUsage"/> is a token usage with its 1-hour cache writes and web searches after the cost; spools
    /// written before it hold <see cref="Kind.TokenUsage"/> frames, still read (with none of either).
    /// </summary>
    private enum Kind : byte { Started = 1, Ended, TokenUsage, Prompt, ToolUsage, Thought, InvoicedUsage }

    public static byte[] Encode(AuditRecord record, Guid rowId)
    {
        using var payload = new MemoryStream(256);
        payload.Position = HeaderBytes;
        using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
            Write(writer, record, rowId);
        var frame = payload.GetBuffer().AsSpan(0, (int)payload.Length).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(frame, frame.Length - HeaderBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Crc32.HashToUInt32(frame.AsSpan(HeaderBytes)));
        return frame;
    }

    /// <summary>
    /// The frame at the start of <paramref name="bytes"/>: its length in bytes, or 0 when the bytes hold no whole frame
    /// (cut short, or its CRC does not match).
    /// </summary>
    public static int Measure(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderBytes)
            return 0;
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (length is <= 0 or > MaxPayloadBytes || bytes.Length - HeaderBytes < length)
            return 0;
        return Crc32.HashToUInt32(bytes.Slice(HeaderBytes, length)) == BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]) ? HeaderBytes + length : 0;
    }

    /// <summary>The record of a whole frame (one <see cref="Measure"/> accepted).</summary>
    public static (AuditRecord Record, Guid RowId) Decode(byte[] buffer, int offset, int frameLength)
    {
        using var reader = new BinaryReader(new MemoryStream(buffer, offset + HeaderBytes, frameLength - HeaderBytes, writable: false));
        var kind = (Kind)reader.ReadByte();
        var rowId = new Guid(reader.ReadBytes(16));
        var interception = new Guid(reader.ReadBytes(16));
        var at = new DateTimeOffset(reader.ReadInt64(), TimeSpan.FromMinutes(reader.ReadInt16()));
        AuditRecord record = kind switch
        {
            Kind.Started => new InterceptionStarted(interception, at, new Guid(reader.ReadBytes(16)), reader.ReadString(), reader.ReadString(),
                reader.ReadString(), reader.ReadString(), Nullable(reader), Nullable(reader), reader.ReadBoolean(), reader.ReadString()),
            Kind.Ended => new InterceptionEnded(interception, at, reader.ReadString(), Nullable(reader)),
            Kind.TokenUsage or Kind.InvoicedUsage => new TokenUsageRecorded(interception, at, Nullable(reader), reader.ReadInt64(), reader.ReadInt64(),
                reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadString(), reader.ReadBoolean() ? reader.ReadDecimal() : null)
            {
                CacheWrite1hTokens = kind == Kind.InvoicedUsage ? reader.ReadInt64() : 0,
                WebSearchRequests = kind == Kind.InvoicedUsage ? reader.ReadInt64() : 0,
            },
            Kind.Prompt => new PromptRecorded(interception, at, reader.ReadString()),
            Kind.ToolUsage => new ToolUsageRecorded(interception, at, reader.ReadString(), Nullable(reader), reader.ReadString(), reader.ReadBoolean(),
                Nullable(reader), Nullable(reader), Nullable(reader), reader.ReadBoolean() ? reader.ReadInt64() : null),
            Kind.Thought => new ThoughtRecorded(interception, at, reader.ReadString(), reader.ReadString()),
            _ => throw new InvalidDataException($"Unknown spool record kind {(byte)kind}."),
        };
        return (record, rowId);
    }

    private static void Write(BinaryWriter writer, AuditRecord record, Guid rowId)
    {
        writer.Write((byte)(record switch
        {
            InterceptionStarted => Kind.Started,
            InterceptionEnded => Kind.Ended,
            TokenUsageRecorded => Kind.InvoicedUsage,
            PromptRecorded => Kind.Prompt,
            ToolUsageRecorded => Kind.ToolUsage,
            ThoughtRecorded => Kind.Thought,
            _ => throw new ArgumentException($"Unknown audit record type {record.GetType().Name}.", nameof(record)),
        }));
        writer.Write(rowId.ToByteArray());
        writer.Write(record.InterceptionId.ToByteArray());
        writer.Write(record.At.UtcTicks + record.At.Offset.Ticks);
        writer.Write((short)record.At.Offset.TotalMinutes);
        switch (record)
        {
            case InterceptionStarted r:
                writer.Write(r.UserId.ToByteArray());
                writer.Write(r.Provider);
                writer.Write(r.ProviderType);
                writer.Write(r.Model);
                writer.Write(r.Client);
                Nullable(writer, r.UserAgent);
                Nullable(writer, r.SessionId);
                writer.Write(r.Streaming);
                writer.Write(r.MetadataJson);
                break;
            case InterceptionEnded r:
                writer.Write(r.Status);
                Nullable(writer, r.Error);
                break;
            case TokenUsageRecorded r:
                Nullable(writer, r.ResponseId);
                writer.Write(r.InputTokens);
                writer.Write(r.OutputTokens);
                writer.Write(r.CacheReadTokens);
                writer.Write(r.CacheWriteTokens);
                writer.Write(r.ReasoningTokens);
                writer.Write(r.ExtraJson);
                writer.Write(r.CostUsd.HasValue);
                if (r.CostUsd is { } cost)
                    writer.Write(cost);
                writer.Write(r.CacheWrite1hTokens);
                writer.Write(r.WebSearchRequests);
                break;
            case PromptRecorded r:
                writer.Write(r.Prompt);
                break;
            case ToolUsageRecorded r:
                writer.Write(r.Tool);
                Nullable(writer, r.ToolCallId);
                writer.Write(r.Input);
                writer.Write(r.Injected);
                Nullable(writer, r.ServerUrl);
                Nullable(writer, r.Result);
                Nullable(writer, r.Error);
                writer.Write(r.DurationMs.HasValue);
                if (r.DurationMs is { } duration)
                    writer.Write(duration);
                break;
            case ThoughtRecorded r:
                writer.Write(r.Content);
                writer.Write(r.Source);
                break;
        }
    }

    private static void Nullable(BinaryWriter writer, string? text)
    {
        writer.Write(text is not null);
        if (text is not null)
            writer.Write(text);
    }

    private static string? Nullable(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}
