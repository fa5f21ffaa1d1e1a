using System.Net.Http.Headers;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>What every HTTP-based upstream does with its request message: add headers, send it, read a response header.</summary>
internal static class UpstreamMessages
{
    /// <summary>Adds headers to the request, or to its content when they are content headers (Content-Type, …), unvalidated.</summary>
    public static void AddHeaders(HttpRequestMessage message, IEnumerable<KeyValuePair<string, StringValues>> headers)
    {
        foreach (var (name, values) in headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
    }

    /// <summary>
    /// Sends the request and returns at its response headers. A transport failure, or the handler's own connect timeout,
    /// is the value <see cref="UpstreamError.Request"/>; only the caller's cancellation throws.
    /// </summary>
    public static async Task<(HttpResponseMessage? Response, UpstreamFailure? Failure)> SendAsync(HttpMessageInvoker invoker, HttpRequestMessage message,
        CancellationToken cancellationToken)
    {
        try
        {
            return (await invoker.SendAsync(message, cancellationToken), null);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, new UpstreamFailure(UpstreamError.Request, exception.Message));
        }
    }

    /// <summary>A response header's first value, or null.</summary>
    public static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
