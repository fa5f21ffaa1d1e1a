using System.Diagnostics.Metrics;
using Bridgekeeper.Auth;
using Bridgekeeper.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.Tests.Auth;

/// <summary>A <see cref="KeyAuthenticator"/> and what it needs, for test hosts that are not the whole gateway.</summary>
internal static class TestKeyAuthenticator
{
    /// <summary>Registers the key check with the failure limit off (unless given) and metrics under a meter of its own.</summary>
    public static IServiceCollection AddTestKeyAuthenticator(this IServiceCollection services, AuthFailureLimit? limit = null)
    {
        services.AddMetrics();
        services.AddSingleton(limit ?? AuthFailureLimit.Off);
        services.AddSingleton(sp => Metrics(sp.GetRequiredService<IMeterFactory>()));
        services.AddSingleton<KeyAuthenticator>();
        return services;
    }

    /// <summary>Metrics under a meter name of their own, so parallel tests never see each other's measurements.</summary>
    public static BridgekeeperMetrics Metrics(IMeterFactory meters) =>
        new(meters, () => 0, ModelLabels.None, "Bridgekeeper.Test." + Guid.NewGuid().ToString("N"));
}
