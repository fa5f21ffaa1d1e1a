using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.MockUpstream;

/// <summary>A request as the Bedrock stand-in received it: the request target exactly as on the wire, headers, body bytes.</summary>
internal sealed record SigV4Request(string Method, string RawTarget, IHeaderDictionary Headers, ReadOnlyMemory<byte> Body);

/// <summary>
/// Checks AWS Signature Version 4 the way an AWS service (not S3) does, written by hand and independent of any AWS SDK,
/// so that it checks the gateway's SDK signing rather than agreeing with it. In order: the <c>Authorization</c> header's
/// shape, the access key, <c>X-Amz-Date</c> within 5 minutes of the clock, the credential scope
/// (<c>date/region/service/aws4_request</c>), <c>host</c> and <c>x-amz-date</c> among the signed headers, the session
/// token, then the signature over the canonical request: method; the wire path with dot and empty segments removed and
/// every segment percent-encoded again (a wire <c>v1%3A0</c> is signed as <c>v1%253A0</c>); the query's parameters
/// decoded, encoded, sorted; the signed headers, lower-case, values trimmed with inner runs of spaces made one and
/// repeats joined by commas; the signed-header list; and the hex SHA-256 of the exact body bytes.
/// </summary>
internal static class BedrockSigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string Service = "bedrock";
    public const string Terminator = "aws4_request";
    public const string DateHeader = "x-amz-date";
    public const string SecurityTokenHeader = "x-amz-security-token";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

    private const string InvalidToken = "The security token included in the request is invalid.";

    /// <summary>Null when the request is signed by <paramref name="account"/> for <paramref name="service"/>; otherwise the error AWS answers.</summary>
    public static BedrockError? Verify(SigV4Request request, MockBedrockOptions account, DateTimeOffset now, string service = Service)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
            return BedrockError.Forbidden(BedrockError.MissingAuthenticationToken, "Missing Authentication Token");
        if (!TryParseAuthorization(authorization, out var credential, out var signedHeaders, out var signature, out var incomplete))
            return BedrockError.Forbidden(BedrockError.IncompleteSignature, incomplete);
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[0].Length == 0)
            return BedrockError.Forbidden(BedrockError.IncompleteSignature,
                $"Authorization header requires 'Credential' parameter of the form 'AKID/yyyymmdd/region/service/{Terminator}'. Authorization={authorization}");
        if (!string.Equals(scope[0], account.AccessKeyId, StringComparison.Ordinal))
            return BedrockError.Forbidden(BedrockError.UnrecognizedClient, InvalidToken);

        var amzDate = request.Headers[DateHeader].ToString();
        if (amzDate.Length == 0)
            return BedrockError.Forbidden(BedrockError.IncompleteSignature,
                $"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={authorization}");
        if (!DateTimeOffset.TryParseExact(amzDate, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
            return BedrockError.Forbidden(BedrockError.IncompleteSignature,
                $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601");
        if (SkewError(signedAt, amzDate, now) is { } skew)
            return skew;
        if (ScopeError(scope, amzDate, account.Region, service) is { } scopeError)
            return scopeError;
        if (!signedHeaders.Contains("host"))
            return BedrockError.Forbidden(BedrockError.InvalidSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        if (!signedHeaders.Contains(DateHeader))
            return BedrockError.Forbidden(BedrockError.InvalidSignature, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
        var token = request.Headers[SecurityTokenHeader].ToString();
        if (!string.Equals(token, account.SessionToken ?? "", StringComparison.Ordinal))
            return BedrockError.Forbidden(BedrockError.UnrecognizedClient, InvalidToken);

        var canonical = CanonicalRequest(request, signedHeaders);
        var stringToSign = StringToSign(amzDate, string.Join('/', scope[1..]), canonical);
        var expected = Signature(account.SecretAccessKey, scope[1], scope[2], scope[3], stringToSign);
        if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            return null;
        return BedrockError.Forbidden(BedrockError.InvalidSignature,
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. "
            + $"Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'{canonical}'\n\n"
            + $"The String-to-Sign should have been\n'{stringToSign}'\n");
    }

    /// <summary>The canonical request for the given signed headers (lower-case names, sorted).</summary>
    public static string CanonicalRequest(SigV4Request request, IReadOnlyList<string> signedHeaders)
    {
        var query = request.RawTarget.IndexOf('?');
        var path = query < 0 ? request.RawTarget : request.RawTarget[..query];
        var builder = new StringBuilder()
            .Append(request.Method).Append('\n')
            .Append(CanonicalUri(path)).Append('\n')
            .Append(CanonicalQuery(query < 0 ? "" : request.RawTarget[(query + 1)..])).Append('\n');
        foreach (var name in signedHeaders)
            builder.Append(name).Append(':').Append(CanonicalHeaderValue(request.Headers[name])).Append('\n');
        return builder.Append('\n')
            .Append(string.Join(';', signedHeaders)).Append('\n')
            .Append(Hex(SHA256.HashData(request.Body.Span)))
            .ToString();
    }

    /// <summary>The wire path without dot and empty segments (<c>..</c> drops the one before), every segment encoded again.</summary>
    public static string CanonicalUri(string wirePath)
    {
        var segments = new List<string>();
        foreach (var segment in wirePath.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
                continue;
            if (segment == "..")
            {
                if (segments.Count > 0)
                    segments.RemoveAt(segments.Count - 1);
            }
            else
                segments.Add(UriEncode(segment));
        }
        var trailing = segments.Count > 0 && wirePath.EndsWith('/') ? "/" : "";
        return "/" + string.Join('/', segments) + trailing;
    }

    /// <summary>Each <c>name=value</c> decoded and encoded again (a missing <c>=</c> is an empty value), sorted by name, then value.</summary>
    public static string CanonicalQuery(string rawQuery)
    {
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            var (name, value) = equals < 0 ? (part, "") : (part[..equals], part[(equals + 1)..]);
            pairs.Add((UriEncode(Uri.UnescapeDataString(name)), UriEncode(Uri.UnescapeDataString(value))));
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name) is var byName and not 0 ? byName : string.CompareOrdinal(a.Value, b.Value));
        return string.Join('&', pairs.Select(pair => pair.Name + "=" + pair.Value));
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    /// <summary>The hex signature: HMAC-SHA256 chained over date, region, service and the terminator, then over the string to sign.</summary>
    public static string Signature(string secret, string date, string region, string service, string stringToSign)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, Terminator);
        return Hex(Hmac(key, stringToSign));
    }

    /// <summary>RFC 3986 percent-encoding of every byte that is not unreserved (<c>A-Z a-z 0-9 - . _ ~</c>), upper-case hex.</summary>
    public static string UriEncode(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
                builder.Append((char)b);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    private static bool TryParseAuthorization(string authorization, out string credential, out List<string> signedHeaders, out string signature,
        out string error)
    {
        (credential, signedHeaders, signature, error) = ("", [], "", "");
        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            error = $"Authorization header requires the '{Algorithm}' algorithm. Authorization={authorization}";
            return false;
        }
        string? credentialPart = null, headersPart = null, signaturePart = null;
        foreach (var part in authorization[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("Credential=", StringComparison.Ordinal))
                credentialPart = part["Credential=".Length..];
            else if (part.StartsWith("SignedHeaders=", StringComparison.Ordinal))
                headersPart = part["SignedHeaders=".Length..];
            else if (part.StartsWith("Signature=", StringComparison.Ordinal))
                signaturePart = part["Signature=".Length..];
        }
        var missing = new[] { ("Credential", credentialPart), ("Signature", signaturePart), ("SignedHeaders", headersPart) }
            .Where(p => string.IsNullOrEmpty(p.Item2)).Select(p => $"Authorization header requires '{p.Item1}' parameter.").ToList();
        if (missing.Count > 0)
        {
            error = string.Join(' ', missing) + $" Authorization={authorization}";
            return false;
        }
        credential = credentialPart!;
        signature = signaturePart!;
        signedHeaders = [.. headersPart!.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(name => name.ToLowerInvariant()).Order(StringComparer.Ordinal)];
        return true;
    }

    private static BedrockError? SkewError(DateTimeOffset signedAt, string amzDate, DateTimeOffset now)
    {
        var nowText = now.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);
        if (signedAt < now - MaxSkew)
            return BedrockError.Forbidden(BedrockError.InvalidSignature,
                $"Signature expired: {amzDate} is now earlier than {(now - MaxSkew).UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture)} ({nowText} - 5 min.)");
        if (signedAt > now + MaxSkew)
            return BedrockError.Forbidden(BedrockError.InvalidSignature,
                $"Signature not yet current: {amzDate} is still later than {(now + MaxSkew).UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture)} ({nowText} + 5 min.)");
        return null;
    }

    private static BedrockError? ScopeError(string[] scope, string amzDate, string region, string service)
    {
        if (scope[1] != amzDate[..8])
            return BedrockError.Forbidden(BedrockError.InvalidSignature,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope[1]}' != '{amzDate[..8]}', from '{amzDate}'.");
        if (scope[2] != region)
            return BedrockError.Forbidden(BedrockError.InvalidSignature, $"Credential should be scoped to a valid region, not '{scope[2]}'. ");
        if (scope[3] != service)
            return BedrockError.Forbidden(BedrockError.InvalidSignature, $"Credential should be scoped to correct service: '{service}'. ");
        if (scope[4] != Terminator)
            return BedrockError.Forbidden(BedrockError.InvalidSignature, $"Credential should be scoped with a valid terminator: '{Terminator}', not '{scope[4]}'. ");
        return null;
    }

    /// <summary>Each value trimmed with inner runs of spaces made one; repeated headers joined by commas, in the order received.</summary>
    private static string CanonicalHeaderValue(Microsoft.Extensions.Primitives.StringValues values) =>
        string.Join(',', values.Select(value => string.Join(' ', (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
