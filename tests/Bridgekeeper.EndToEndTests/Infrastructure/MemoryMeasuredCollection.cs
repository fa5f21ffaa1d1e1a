namespace Bridgekeeper.EndToEndTests.Infrastructure;

/// <summary>Tests that measure the process's managed heap run alone, so no other test's allocations are counted.</summary>
[CollectionDefinition(nameof(MemoryMeasuredCollection), DisableParallelization = true)]
public sealed class MemoryMeasuredCollection;
