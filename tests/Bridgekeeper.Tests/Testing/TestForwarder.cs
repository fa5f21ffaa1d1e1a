using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Forwarder;

namespace Bridgekeeper.Tests.Testing;

/// <summary>YARP's forwarder as the gateway registers it, for tests that build upstreams through the catalog.</summary>
internal static class TestForwarder
{
    public static IHttpForwarder Instance { get; } = new ServiceCollection().AddLogging().AddHttpForwarder().BuildServiceProvider()
        .GetRequiredService<IHttpForwarder>();
}
