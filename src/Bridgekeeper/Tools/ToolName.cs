using System.Security.Cryptography;
using System.Text;

namespace Bridgekeeper.Tools;

/// <summary>
/// Names injected tools <c>bmcp_&lt;server&gt;_&lt;tool&gt;</c>, within the providers' rule <c>^[a-zA-Z0-9_-]{1,64}$</c>.
/// A name that fits and needs no cleaning is plain. Otherwise the tool part is sanitized (every other character becomes
/// <c>_</c>), cut to fit, and ends with <c>_</c> plus 8 hex digits of SHA-256(<c>server/tool</c>), which keeps it unique.
/// Server names cannot hold <c>_</c>, so plain names never collide across servers. Truncated names cannot be parsed back:
/// the catalog maps each name to its tool.
/// </summary>
internal static class ToolName
{
    public const string Prefix = "bmcp_";
    public const int MaxLength = 64;
    private const int HashLength = 8;

    public static string Format(string server, string tool)
    {
        var plain = $"{Prefix}{server}_{tool}";
        var sanitized = Sanitize(plain);
        if (plain.Length <= MaxLength && ReferenceEquals(sanitized, plain))
            return plain;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{server}/{tool}")))[..HashLength];
        var keep = Math.Min(sanitized.Length, MaxLength - HashLength - 1);
        return $"{sanitized[..keep]}_{hash}";
    }

    /// <summary>Whether a tool name has the injected prefix (a cheap first check; the catalog is the authority).</summary>
    public static bool HasPrefix(string name) => name.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Whether a name satisfies <c>^[a-zA-Z0-9_-]{1,64}$</c>.</summary>
    public static bool IsValid(string name) => name.Length is > 0 and <= MaxLength && name.All(IsAllowed);

    /// <summary>The same string when every character is allowed; otherwise a copy with each other character replaced by <c>_</c>.</summary>
    private static string Sanitize(string name)
    {
        if (name.All(IsAllowed))
            return name;
        return string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
                span[i] = IsAllowed(source[i]) ? source[i] : '_';
        });
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
}
