using Bridgekeeper.Providers;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Interception;

/// <summary>Writes errors the gateway itself raises, in the provider's own shape, before the response started.</summary>
internal static class GatewayErrors
{
    public static async Task WriteAsync(HttpResponse response, IApiDialect dialect, GatewayError error, CancellationToken cancellationToken)
    {
        if (response.HasStarted)
            return;
        response.StatusCode = error.Status;
        if (error.RetryAfter is { } retryAfter)
            response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
        response.ContentType = "application/json";
        var body = dialect.ErrorBody(error);
        response.ContentLength = body.Length;
        try
        {
            await response.Body.WriteAsync(body, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
