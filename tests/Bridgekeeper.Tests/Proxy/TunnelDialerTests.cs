using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Bridgekeeper.Proxy;

namespace Bridgekeeper.Tests.Proxy;

public sealed class TunnelDialerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private static readonly IPNetwork[] Loopback = [IPNetwork.Parse("127.0.0.0/8")];
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public TunnelDialerTests() => _listener.Start();

    public void Dispose() => _listener.Dispose();

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DialAsync_Localhost_IsRefusedAsLoopbackWithoutConnecting()
    {
        var result = await new TunnelDialer([], Timeout).DialAsync("localhost", Port, Ct);

        var refused = Assert.IsType<DialResult.Refused>(result);
        Assert.True(IPAddress.IsLoopback(refused.Address), refused.Address.ToString());
        Assert.Equal("loopback", refused.Reason);
        Assert.False(_listener.Pending());   // a connect would be in the backlog by now
    }

    [Theory]
    [InlineData("169.254.169.254", "metadata")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("[::1]", "loopback")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("2130706433", "loopback")]   // 127.0.0.1 written as one number: parsed, so checked, never resolved
    public async Task DialAsync_SpecialIpLiteral_IsRefusedWithoutResolving(string host, string reason)
    {
        var dialer = new TunnelDialer([], Timeout, (name, _) => throw new InvalidOperationException($"resolved {name}"));

        var result = await dialer.DialAsync(host, 443, Ct);

        Assert.Equal(reason, Assert.IsType<DialResult.Refused>(result).Reason);
    }

    [Fact]
    public async Task DialAsync_NameResolvingToAPublicAndAPrivateAddress_IsRefused_NamingThePrivateOne()
    {
        var lookups = 0;
        var dialer = new TunnelDialer([], Timeout, (_, _) =>
        {
            lookups++;
            return Task.FromResult<IPAddress[]>([IPAddress.Parse("8.8.8.8"), IPAddress.Parse("10.1.2.3"), IPAddress.Parse("127.0.0.1")]);
        });

        var result = await dialer.DialAsync("rebinding.example", 443, Ct);

        Assert.Equal(new DialResult.Refused(IPAddress.Parse("10.1.2.3"), "private"), result);
        Assert.Equal(1, lookups);
    }

    [Fact]
    public async Task DialAsync_AllowedLoopback_ConnectsToTheListener()
    {
        var result = await new TunnelDialer(Loopback, Timeout).DialAsync("127.0.0.1", Port, Ct);

        var connected = Assert.IsType<DialResult.Connected>(result);
        using var socket = connected.Socket;
        using var accepted = await _listener.AcceptSocketAsync(Ct);
        Assert.Equal(IPAddress.Loopback, connected.Address);
        Assert.Equal(accepted.RemoteEndPoint, socket.LocalEndPoint);
        Assert.True(socket.NoDelay);
    }

    [Fact]
    public async Task DialAsync_SeveralAddresses_ResolvesOnce_AndTriesThemInOrder_NeverTheNameAgain()
    {
        using var closed = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var second = new TcpListener(IPAddress.Parse("127.0.0.3"), closedPort);
        second.Start();
        var lookups = 0;
        var dialer = new TunnelDialer(Loopback, Timeout, (_, _) =>
        {
            lookups++;
            return Task.FromResult<IPAddress[]>([IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3")]);
        });

        var result = await dialer.DialAsync("api.example", closedPort, Ct);

        var connected = Assert.IsType<DialResult.Connected>(result);
        using var socket = connected.Socket;
        Assert.Equal(IPAddress.Parse("127.0.0.3"), connected.Address);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.3"), closedPort), socket.RemoteEndPoint);
        Assert.Equal(1, lookups);
    }

    [Fact]
    public async Task DialAsync_AllowedLoopback_ClosedPort_FailsQuickly()
    {
        var port = Port;
        _listener.Stop();
        var clock = Stopwatch.StartNew();

        var result = await new TunnelDialer(Loopback, Timeout).DialAsync("127.0.0.1", port, Ct);

        Assert.Equal($"'127.0.0.1' port {port}: 127.0.0.1: connection refused", Assert.IsType<DialResult.Failed>(result).Detail);
        Assert.True(clock.Elapsed < Timeout, $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task DialAsync_UnresolvableName_FailsWithinTheTimeout()
    {
        var clock = Stopwatch.StartNew();

        var result = await new TunnelDialer([], Timeout).DialAsync("no-such-host.invalid", 443, Ct);

        var failed = Assert.IsType<DialResult.Failed>(result);
        Assert.Contains("'no-such-host.invalid'", failed.Detail, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < Timeout + TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task DialAsync_UnansweredConnect_FailsAfterTheTimeout()
    {
        // A listener that never accepts: once its accept queue is full, Linux drops further SYNs, so a connect hangs. (A
        // blackhole address such as 10.255.255.1 is not one everywhere: a transparent proxy may answer for it.)
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(0);
        var port = ((IPEndPoint)silent.LocalEndPoint!).Port;
        var dialer = new TunnelDialer(Loopback, TimeSpan.FromMilliseconds(300));
        var queued = new List<Socket>();
        try
        {
            for (var attempt = 0; attempt < 16; attempt++)
            {
                var clock = Stopwatch.StartNew();
                var result = await dialer.DialAsync("127.0.0.1", port, Ct);
                if (result is DialResult.Connected connected)
                {
                    queued.Add(connected.Socket);   // filling the queue
                    continue;
                }
                Assert.Equal(new DialResult.Failed($"'127.0.0.1' port {port}: timed out after 300 ms"), result);
                Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));
                return;
            }
            Assert.Fail("the accept queue never filled");
        }
        finally
        {
            queued.ForEach(socket => socket.Dispose());
        }
    }

    [Fact]
    public async Task DialAsync_ResolverThatNeverAnswers_FailsAfterTheTimeout()
    {
        var dialer = new TunnelDialer([], TimeSpan.FromMilliseconds(300), async (_, ct) =>
        {
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
            return [];
        });

        var result = await dialer.DialAsync("slow.example", 443, Ct);

        Assert.Equal(new DialResult.Failed("'slow.example' port 443: timed out after 300 ms"), result);
    }

    [Fact]
    public async Task DialAsync_CallerCancels_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var dialer = new TunnelDialer([IPNetwork.Parse("10.255.255.0/24")], Timeout);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dialer.DialAsync("10.255.255.1", 9, cancelled.Token));
    }

    [Theory]
    [InlineData("", "no host")]
    [InlineData("  ", "no host")]
    public async Task DialAsync_NoHost_Fails(string host, string detail) =>
        Assert.Equal(new DialResult.Failed(detail), await new TunnelDialer([], Timeout).DialAsync(host, 443, Ct));

    [Theory]
    [InlineData(0)]
    [InlineData(65_536)]
    public async Task DialAsync_PortOutOfRange_Throws(int port) =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new TunnelDialer([], Timeout).DialAsync("8.8.8.8", port, Ct));
}
