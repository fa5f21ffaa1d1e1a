using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace Bridgekeeper.Proxy;

/// <summary>
/// The proxy's own answers to a <c>CONNECT</c> (or to a request it does not serve), written on the raw connection:
/// <c>200 Connection established</c>, or a refusal with the API's error body (<c>{"error":{"code","message"}}</c>) and
/// <c>Connection: close</c>, after which the connection ends.
/// </summary>
internal static class ProxyAnswers
{
    private static readonly byte[] Established = "HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray();

    public static async ValueTask EstablishedAsync(PipeWriter output, CancellationToken cancellationToken) =>
        await output.WriteAsync(Established, cancellationToken);

    /// <param name="headers">Extra headers (<c>Proxy-Authenticate</c>, <c>Retry-After</c>).</param>
    public static async ValueTask RefuseAsync(PipeWriter output, ProxyRefusal refusal, CancellationToken cancellationToken,
        params (string Name, string Value)[] headers)
    {
        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("code", refusal.Code);
            json.WriteString("message", refusal.Message);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {refusal.Status} {Reason(refusal.Status)}\r\n");
        foreach (var (name, value) in headers)
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await output.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken);
        await output.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), cancellationToken);
    }

    private static string Reason(int status) => status switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        407 => "Proxy Authentication Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    };
}

/// <summary>Why the proxy refused a connection: the status, and the API's error code and message.</summary>
/// <param name="Outcome">The <c>bridgekeeper_proxy_connects</c> outcome it counts as.</param>
internal sealed record ProxyRefusal(int Status, string Code, string Message, string Outcome)
{
    public static ProxyRefusal BadRequest(string message) => new(400, "bad_request", message, "bad_request");

    public static ProxyRefusal Forbidden(string code, string message) => new(403, code, message, "refused");

    public static ProxyRefusal Unreachable(string message) => new(502, "upstream_unreachable", message, "failed");
}
