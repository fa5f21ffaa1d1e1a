using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;

namespace Bridgekeeper.Proxy;

/// <summary>
/// The head of a request to the forward proxy (RFC 9112 §3 and RFC 9110 §9.3.6): its method, target and
/// <c>Proxy-Authorization</c>. Kestrel's own parser cannot be used here: the proxy reads the head from the raw
/// connection before any HTTP (or TLS) layer runs, because after a <c>CONNECT</c> the bytes that follow are the client's
/// TLS handshake, not HTTP. So this is a small, strict parser of one bounded head: lines end in CRLF, no folded header
/// lines, one <c>Proxy-Authorization</c> at most; anything else is refused (400).
/// </summary>
internal sealed record ConnectHead(string Method, string Target, string? ProxyAuthorization)
{
    /// <summary>A head longer than this (request line and headers) is refused with 431.</summary>
    public const int MaxBytes = 16 * 1024;

    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    public bool IsConnect => Method == "CONNECT";

    /// <summary>
    /// Finds a whole head at the start of <paramref name="buffer"/>: true with <paramref name="head"/> (its bytes without
    /// the blank line) and <paramref name="end"/> (the first byte after it), false when more bytes are needed.
    /// </summary>
    public static bool TryFind(ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> head, out SequencePosition end)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out head, EndOfHead, advancePastDelimiter: true))
        {
            end = reader.Position;
            return true;
        }
        end = buffer.Start;
        return false;
    }

    /// <summary>Parses a head found by <see cref="TryFind"/>; null with <paramref name="error"/> when it is not a valid request head.</summary>
    public static ConnectHead? Parse(ReadOnlySequence<byte> bytes, out string error)
    {
        // Latin-1 maps every byte to one char, so nothing is lost before the checks below refuse what is not ASCII.
        var text = Encoding.Latin1.GetString(bytes);
        var lines = text.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (lines[0].Any(c => c is <= ' ' and not ' ' or > '~') || parts.Length != 3 || parts[0].Length == 0 || parts[0].AsSpan().ContainsAnyExcept(TokenChars) || parts[1].Length == 0 || parts[2] is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            error = "The request line is not 'METHOD target HTTP/1.1'.";
            return null;
        }
        string? authorization = null;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0 || line.AsSpan(0, colon).ContainsAnyExcept(TokenChars) || line.Any(c => c is (< ' ' and not '\t') or > '~'))
            {
                error = "A header line is malformed (folded, without a name, or not printable ASCII).";
                return null;
            }
            if (!line.AsSpan(0, colon).Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase))
                continue;
            if (authorization is not null)
            {
                error = "Proxy-Authorization is given more than once.";
                return null;
            }
            authorization = line[(colon + 1)..].Trim(' ', '\t');
        }
        error = "";
        return new ConnectHead(parts[0], parts[1], authorization);
    }

    /// <summary>
    /// The <c>host:port</c> of a <c>CONNECT</c> (authority form; an IPv6 literal in brackets). The host comes back
    /// lowercase without a trailing dot and IPv6 literals without brackets; false for anything else, or a port that is
    /// not 1-65535.
    /// </summary>
    public static bool TryAuthority(string target, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = target.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(target.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            return false;
        var name = target[..colon];
        if (name.StartsWith('['))
        {
            if (!name.EndsWith(']') || !IPAddress.TryParse(name[1..^1], out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                return false;
            host = v6.ToString();
            return true;
        }
        name = name.TrimEnd('.').ToLowerInvariant();
        if (Uri.CheckHostName(name) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            return false;
        host = name;
        return true;
    }

    /// <summary>
    /// The Bridgekeeper key in a <c>Proxy-Authorization</c> value: the password of <c>Basic</c> credentials (the user
    /// name is ignored; with an empty password, the user name, for <c>http://bk_…@host:port</c>), or a <c>Bearer</c>
    /// token. Null when there is none.
    /// </summary>
    public static string? Key(string? authorization)
    {
        if (authorization is null)
            return null;
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Blank(authorization["Bearer ".Length..]);
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return null;
        string credentials;
        try
        {
            credentials = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        var colon = credentials.IndexOf(':');
        if (colon < 0)
            return Blank(credentials);
        return Blank(credentials[(colon + 1)..]) ?? Blank(credentials[..colon]);
    }

    private static string? Blank(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static readonly SearchValues<char> TokenChars = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
}
