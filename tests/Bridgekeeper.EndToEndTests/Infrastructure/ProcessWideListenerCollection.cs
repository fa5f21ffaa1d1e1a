namespace Bridgekeeper.EndToEndTests.Infrastructure;

/// <summary>
/// Tests that register a process-wide <see cref="System.Diagnostics.ActivityListener"/> run alone: while one listens to
/// <c>System.Net.Http</c>, every test's HttpClient would start activities and send <c>traceparent</c> headers.
/// </summary>
[CollectionDefinition(nameof(ProcessWideListenerCollection), DisableParallelization = true)]
public sealed class ProcessWideListenerCollection;
