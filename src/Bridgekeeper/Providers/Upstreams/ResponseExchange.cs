using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>
/// An upstream answer over an <see cref="HttpResponseMessage"/>, for every HTTP-based upstream: the status, the body
/// read whole or as a stream of items, and the one rule for what a read failure is: a transport failure (or a body
/// that cannot be decoded, <see cref="InvalidDataException"/>) becomes <see cref="UpstreamExchange.Failure"/>, while a
/// cancellation stays an exception for the caller, who knows whether the client left or the upstream went silent.
/// </summary>
internal abstract class ResponseExchange(HttpResponseMessage response) : UpstreamExchange
{
    private IReadOnlyList<KeyValuePair<string, StringValues>>? _headers;

    protected HttpResponseMessage Response => response;

    public override int Status => (int)response.StatusCode;

    public override IReadOnlyList<KeyValuePair<string, StringValues>> Headers => _headers ??= RelayedHeaders();

    /// <summary>The headers to relay; by default every header <see cref="ForwardedHeaders"/> lets through.</summary>
    protected virtual IReadOnlyList<KeyValuePair<string, StringValues>> RelayedHeaders() => ForwardedHeaders.ForClient(response);

    protected bool HasMediaType(string mediaType) =>
        string.Equals(response.Content.Headers.ContentType?.MediaType, mediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The items <paramref name="read"/> makes of the body stream, until the end or a read failure.</summary>
    protected async IAsyncEnumerable<T> ReadItemsAsync<T>(Func<Stream, CancellationToken, IAsyncEnumerable<T>> read,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await OpenAsync(cancellationToken) is not { } stream)
            yield break;
        await using var items = read(stream, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await MoveNextAsync(items, cancellationToken))
            yield return items.Current;
    }

    /// <summary>The whole body as it came, or null when reading it failed.</summary>
    protected async Task<byte[]?> ReadRawBodyAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (Exception exception) when (Broke(exception, cancellationToken))
        {
            return null;
        }
    }

    private async Task<Stream?> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch (Exception exception) when (Broke(exception, cancellationToken))
        {
            return null;
        }
    }

    private async ValueTask<bool> MoveNextAsync<T>(IAsyncEnumerator<T> items, CancellationToken cancellationToken)
    {
        try
        {
            return await items.MoveNextAsync();
        }
        catch (Exception exception) when (Broke(exception, cancellationToken))
        {
            return false;
        }
    }

    private bool Broke(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (HttpRequestException or IOException or InvalidDataException) || cancellationToken.IsCancellationRequested)
            return false;
        Failure = new UpstreamFailure(UpstreamError.ResponseBody, exception is InvalidDataException
            ? $"the upstream's body cannot be read: {exception.Message}"
            : Innermost(exception).Message);
        return true;
    }

    private static Exception Innermost(Exception exception) => exception.InnerException is { } inner ? Innermost(inner) : exception;

    public override void Dispose() => response.Dispose();
}
