using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Bridgekeeper.Storage;

/// <summary>
/// UUIDv7 ids for audit rows (RFC 9562 §5.7: 48-bit Unix milliseconds, version 7, 74 random bits), drawn from a
/// per-thread buffer of cryptographically random bytes. <see cref="Guid.CreateVersion7(DateTimeOffset)"/> asks the OS
/// for randomness on every call, which measured 2 µs per id on this machine kind; an interception makes at least
/// three ids, so the buffer (one OS call per 409 ids) keeps that off the hot path. The bits are the same kind.
/// </summary>
internal static class AuditIds
{
    private const int IdRandomBytes = 10;
    private const int BufferBytes = 4096 - 4096 % IdRandomBytes;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_used;

    public static Guid New(DateTimeOffset at)
    {
        var random = t_random;
        if (random is null || t_used == BufferBytes)
        {
            random = t_random ??= new byte[BufferBytes];
            RandomNumberGenerator.Fill(random);
            t_used = 0;
        }
        var bits = random.AsSpan(t_used, IdRandomBytes);
        t_used += IdRandomBytes;

        Span<byte> bytes = stackalloc byte[16];
        var milliseconds = Math.Max(0, at.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)milliseconds << 16);   // bytes 0-5: timestamp; 6-7 overwritten below
        bits.CopyTo(bytes[6..]);
        if (Sequence(milliseconds, bits[0]) is { } sequence)
            BinaryPrimitives.WriteUInt16BigEndian(bytes[6..], sequence);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));                          // version 7
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));                          // variant 10
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The last millisecond an id was made for, and the 12-bit sequence used in it (RFC 9562 §6.2, method 1).</summary>
    private static long s_last;

    /// <summary>
    /// The 12 bits after the version (<c>rand_a</c>) as a counter within a millisecond, so the ids this process makes
    /// in one millisecond sort in the order they were made (newest first stays exact). A new millisecond starts the
    /// counter at a random value below 256; an earlier instant than the last (a clock set back, a record dated in the
    /// past) or a counter that ran out keeps the random bits.
    /// </summary>
    private static ushort? Sequence(long milliseconds, byte random)
    {
        while (true)
        {
            var last = Volatile.Read(ref s_last);
            var (lastMilliseconds, counter) = (last >> 12, last & 0xFFF);
            long next;
            if (milliseconds > lastMilliseconds)
                next = (milliseconds << 12) | (random & 0xFFL);
            else if (milliseconds == lastMilliseconds && counter < 0xFFF)
                next = last + 1;
            else
                return null;
            if (Interlocked.CompareExchange(ref s_last, next, last) == last)
                return (ushort)(next & 0xFFF);
        }
    }

    /// <summary>
    /// The smallest UUIDv7 of the millisecond <paramref name="at"/> falls in. An interception's id is made at the instant
    /// its <c>started_at</c> records, so <c>started_at &gt;= t</c> implies <c>id &gt;= FirstAt(t)</c>, and
    /// <c>started_at &lt; t</c> implies <c>id &lt; FirstAt(t + 1 ms)</c>.
    /// </summary>
    public static Guid FirstAt(DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)Math.Max(0, at.ToUnixTimeMilliseconds()) << 16);
        bytes[6] = 0x70;
        bytes[8] = 0x80;
        return new Guid(bytes, bigEndian: true);
    }
}
