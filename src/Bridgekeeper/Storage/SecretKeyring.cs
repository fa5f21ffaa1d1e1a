using System.Security.Cryptography;
using Bridgekeeper.Settings;

namespace Bridgekeeper.Storage;

/// <summary>
/// The keys that encrypt users' MCP tokens at rest: the current key, which encrypts and decrypts, and previous keys,
/// which only decrypt (rotation). Each key has an <see cref="SecretKey.Id"/>, stored with every ciphertext, so a token
/// is decrypted with the key that encrypted it. Without a current key (PostgreSQL and no
/// <c>BRIDGEKEEPER_SECRET_KEY</c>), <see cref="Current"/> is null and <see cref="Problem"/> says why: tokens can be neither
/// stored nor read, and the rest of the gateway works.
/// </summary>
internal sealed class SecretKeyring
{
    public const string KeySetting = "BRIDGEKEEPER_SECRET_KEY";
    public const string PreviousKeysSetting = "BRIDGEKEEPER_SECRET_KEY_PREVIOUS";
    public const string KeyFileName = "bridgekeeper.key";
    public const int KeySize = 32;

    private SecretKeyring(SecretKey? current, IReadOnlyList<SecretKey> previous, string? problem)
    {
        Current = current;
        Previous = previous;
        Problem = problem;
    }

    /// <summary>The key new ciphertexts are made with; null when there is none (see <see cref="Problem"/>).</summary>
    public SecretKey? Current { get; }

    /// <summary>Keys that only decrypt: tokens written under them are rewritten under <see cref="Current"/> when read.</summary>
    public IReadOnlyList<SecretKey> Previous { get; }

    /// <summary>Why there is no current key, for the operator; null when there is one.</summary>
    public string? Problem { get; }

    public static SecretKeyring Of(byte[] current, params byte[][] previous) =>
        new(new SecretKey(current), [.. previous.Select(k => new SecretKey(k))], null);

    public static SecretKeyring Unavailable(string problem) => new(null, [], problem);

    /// <summary>
    /// The keyring from the settings: <paramref name="secretKey"/> (base64 of 32 bytes) when given, otherwise the key
    /// file beside a SQLite database (created on first use, mode 600, and refused when another user owns it or others
    /// may write it); <paramref name="previousKeys"/> is a comma-separated list of base64 keys. PostgreSQL without a
    /// key gives an unavailable keyring, not an error: only storing or reading tokens needs one.
    /// </summary>
    /// <exception cref="SettingsException">A key is malformed, or the key file cannot be trusted.</exception>
    public static SecretKeyring Load(string? secretKey, string? previousKeys, Database database)
    {
        var previous = ParsePreviousKeys(previousKeys);
        byte[] current;
        if (!string.IsNullOrWhiteSpace(secretKey))
            current = ParseKey(KeySetting, secretKey);
        else if (database.Dialect == SqlDialect.Sqlite)
            current = LoadOrCreateKeyFile(Path.Combine(Path.GetDirectoryName(database.Description) ?? ".", KeyFileName));
        else
            return Unavailable($"{KeySetting} is not set, and a PostgreSQL database has no key file beside it; set it to base64 of 32 random bytes (openssl rand -base64 32) on every replica.");
        return Of(current, [.. previous]);
    }

    /// <summary>The key with this id, current first; null when none has it.</summary>
    public SecretKey? Find(string id) =>
        Current?.Id == id ? Current : Previous.FirstOrDefault(k => k.Id == id);

    /// <summary>Every key, current first: the order to try for a ciphertext without a key id (written before ids).</summary>
    public IEnumerable<SecretKey> All => Current is null ? Previous : Previous.Prepend(Current);

    /// <summary>One key setting's value: base64 of exactly 32 bytes.</summary>
    /// <exception cref="SettingsException">It is not.</exception>
    public static byte[] ParseKey(string setting, string text)
    {
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new SettingsException(setting, "is not base64; make a key with 'openssl rand -base64 32'.");
        }
        return decoded.Length == KeySize
            ? decoded
            : throw new SettingsException(setting, $"must be {KeySize} bytes (base64), not {decoded.Length}; make a key with 'openssl rand -base64 32'.");
    }

    /// <summary>The previous keys: comma-separated base64 keys; blank means none.</summary>
    public static IReadOnlyList<byte[]> ParsePreviousKeys(string? text) =>
        [.. (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => ParseKey(PreviousKeysSetting, k))];

    /// <summary>
    /// Reads the key file, or creates it with a fresh random key: mode 600 from creation, written whole before it
    /// appears under its name; a concurrent creator wins cleanly and both use its key. An existing file is trusted only
    /// when the gateway's user (or root) owns it and neither group nor others may write it.
    /// </summary>
    /// <exception cref="SettingsException">The file cannot be trusted or does not hold a key.</exception>
    public static byte[] LoadOrCreateKeyFile(string path)
    {
        byte[] existing;
        try
        {
            if (!File.Exists(path))
            {
                var key = RandomNumberGenerator.GetBytes(KeySize);
                if (PrivateFiles.TryWriteNew(path, Convert.ToBase64String(key)))
                    return key;
            }
            if (PrivateFiles.Distrust(path) is { } problem)
                throw new SettingsException(KeySetting, $"the key file {problem}; or set {KeySetting} instead.");
            existing = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        catch (FormatException)
        {
            throw new SettingsException(KeySetting, $"the key file '{path}' does not hold base64.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException(KeySetting, $"cannot use the key file '{path}': {e.Message}");
        }
        return existing.Length == KeySize
            ? existing
            : throw new SettingsException(KeySetting, $"the key file '{path}' does not hold a {KeySize}-byte key.");
    }
}

/// <summary>
/// One 256-bit key and its id: the first 8 hex digits of the key's SHA-256. The id is stored in clear with each
/// ciphertext; 32 bits of a hash of a random 256-bit key tell nothing about the key.
/// </summary>
internal sealed class SecretKey
{
    public SecretKey(byte[] bytes)
    {
        if (bytes.Length != SecretKeyring.KeySize)
            throw new ArgumentException($"A secret key must be {SecretKeyring.KeySize} bytes.", nameof(bytes));
        Bytes = bytes;
        Id = Convert.ToHexStringLower(SHA256.HashData(bytes))[..8];
    }

    public byte[] Bytes { get; }
    public string Id { get; }

    public override string ToString() => $"SecretKey {{ Id = {Id} }}";
}
