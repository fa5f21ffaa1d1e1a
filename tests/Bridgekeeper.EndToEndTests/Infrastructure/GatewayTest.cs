using Bridgekeeper.Hosting;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.EndToEndTests.Infrastructure;

/// <summary>A fresh mock upstream and a fresh gateway in front of it for every test (each on its own loopback port).</summary>
public abstract class GatewayTest : IAsyncLifetime
{
    private protected MockUpstreamServer Upstream { get; private set; } = null!;
    private protected GatewayUnderTest Gateway { get; private set; } = null!;

    /// <summary>Adjusts the gateway's settings for the tests of a class.</summary>
    private protected virtual GatewaySettings Configure(GatewaySettings settings) => settings;

    public async ValueTask InitializeAsync()
    {
        Upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions(), TestContext.Current.CancellationToken);
        Gateway = await GatewayUnderTest.StartAsync(Upstream, Configure);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
