using Microsoft.Extensions.Hosting;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// A lifetime that ignores the console: the mock runs inside other hosts (<c>server --demo</c>, tests),
/// and its owner stops it by disposing it, so Ctrl+C belongs to the owner.
/// </summary>
internal sealed class MockHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
