using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.EndToEndTests.Hostile;

/// <summary>One mock upstream and one gateway for all the properties of a test class (they run hundreds of requests each).</summary>
public sealed class HostileGateway : IAsyncLifetime
{
    internal MockUpstreamServer Upstream { get; private set; } = null!;
    internal GatewayUnderTest Gateway { get; private set; } = null!;
    internal string MemberKey { get; private set; } = null!;

    /// <summary>Requests go one at a time, so each one's upstream exchanges and audit row are its own.</summary>
    internal SemaphoreSlim OneAtATime { get; } = new(1, 1);

    public async ValueTask InitializeAsync()
    {
        Upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions(), TestContext.Current.CancellationToken);
        Gateway = await GatewayUnderTest.StartAsync(Upstream, settings => settings with { MaxRequestBodyBytes = 4 * 1024 * 1024 });
        MemberKey = await Gateway.CreateKeyAsync("mallory");
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        OneAtATime.Dispose();
    }
}
