namespace Bridgekeeper.Tests.Cli;

/// <summary>Tests that redirect <see cref="Console.Out"/> run alone, never beside other tests.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;
