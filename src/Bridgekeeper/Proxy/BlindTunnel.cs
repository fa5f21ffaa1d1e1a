using System.IO.Pipelines;
using System.Net.Sockets;

namespace Bridgekeeper.Proxy;

/// <summary>
/// Relays a blind tunnel: the client's bytes to the socket and the socket's to the client, as they come, each direction
/// with the transport's own backpressure (so a tunnel holds a bounded amount of memory whatever the peers send). The
/// client's end of input half-closes the socket; the remote end closing (or failing) ends the tunnel.
/// </summary>
internal static class BlindTunnel
{
    public static async Task RelayAsync(IDuplexPipe client, Socket socket, CancellationToken clientGone)
    {
        using var remote = new NetworkStream(socket, ownsSocket: false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(clientGone);
        var up = UpAsync(client.Input, remote, socket, stop.Token);
        try
        {
            await remote.CopyToAsync(client.Output, stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or InvalidOperationException)
        {
            // The remote end failed, or the client left: either way the tunnel is over.
        }
        finally
        {
            await stop.CancelAsync();
            await up;
        }
    }

    private static async Task UpAsync(PipeReader input, NetworkStream remote, Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            await input.CopyToAsync(remote, cancellationToken);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The tunnel is ending from the other side.
        }
    }
}
