using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Bridgekeeper.Auth;

/// <summary>
/// Bridgekeeper keys: <c>bk_</c> plus 32 random bytes in base64url (256 bits of secret). Only the SHA-256 of the
/// whole key and a short hint (<c>bk_…abcd</c>) are ever stored or shown.
/// </summary>
internal static class ApiKey
{
    public const string Prefix = "bk_";
    private const int SecretBytes = 32;

    public static NewKey Generate()
    {
        Span<byte> secret = stackalloc byte[SecretBytes];
        RandomNumberGenerator.Fill(secret);
        var key = Prefix + Base64Url.EncodeToString(secret);
        return new NewKey(key, Hash(key), Hint(key));
    }

    public static byte[] Hash(string key)
    {
        Span<byte> utf8 = key.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(key.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(key.Length)];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        return SHA256.HashData(utf8[..length]);
    }

    /// <summary>A display form that is safe to log: the prefix and the last four characters.</summary>
    public static string Hint(string key) => key.Length < 8 ? "bk_…" : $"{Prefix}…{key[^4..]}";
}

/// <summary>A freshly made key: the secret (shown once), its hash (stored) and its hint (shown in lists).</summary>
internal sealed record NewKey(string Key, byte[] Hash, string Hint);
