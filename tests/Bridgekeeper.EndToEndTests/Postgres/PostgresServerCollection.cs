namespace Bridgekeeper.EndToEndTests.Postgres;

/// <summary>Tests that stop the shared PostgreSQL server run alone, never beside tests that use it.</summary>
[CollectionDefinition(nameof(PostgresServerCollection), DisableParallelization = true)]
public sealed class PostgresServerCollection;
