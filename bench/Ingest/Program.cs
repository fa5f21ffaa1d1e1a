// Audit ingest: how many interceptions per second AuditStore.AppendAsync lands, one batch after another as the
// audit writer sends them (whole interceptions, up to 4,096 records a batch), on a fresh SQLite or PostgreSQL database.
// Prints one JSON line. Usage:
//   Ingest --database PATH|postgres://… [--interceptions N] [--label TEXT] [--drop-index NAME,…]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bridgekeeper.Storage;

var options = Options.Parse(args);
await using var database = Database.Open(options.Database);
await database.MigrateAsync(CancellationToken.None);
foreach (var index in options.DropIndexes)
{
    await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
    await using var drop = connection.CreateCommand();
    drop.CommandText = $"DROP INDEX {index}";
    await drop.ExecuteNonQueryAsync();
}
var store = new AuditStore(database);

var traffic = new Traffic(seed: 7);
await store.AppendAsync(traffic.Batch(2_000).Records, CancellationToken.None);   // warm-up: JIT, plans, pools
var batches = new List<(List<AuditRecord> Records, int Interceptions, int Rows)>();
for (var left = options.Interceptions; left > 0;)
{
    var batch = traffic.Batch(left);
    batches.Add(batch);
    left -= batch.Interceptions;
}

var clock = Stopwatch.StartNew();
foreach (var batch in batches)
    await store.AppendAsync(batch.Records, CancellationToken.None);
var seconds = clock.Elapsed.TotalSeconds;

var interceptions = batches.Sum(b => b.Interceptions);
var rows = batches.Sum(b => b.Rows);
Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
{
    ["label"] = options.Label,
    ["database"] = database.Dialect.Name,
    ["drop_indexes"] = string.Join(",", options.DropIndexes),
    ["interceptions"] = interceptions,
    ["rows"] = rows,
    ["batches"] = batches.Count,
    ["seconds"] = Math.Round(seconds, 3),
    ["interceptions_per_s"] = Math.Round(interceptions / seconds),
    ["rows_per_s"] = Math.Round(rows / seconds),
}));

internal sealed record Options(string Database, int Interceptions, string Label, IReadOnlyList<string> DropIndexes)
{
    public static Options Parse(string[] args)
    {
        string? database = null;
        var interceptions = 50_000;
        var label = "";
        string[] drop = [];
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--database": database = args[++i]; break;
                case "--interceptions": interceptions = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--label": label = args[++i]; break;
                case "--drop-index": drop = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                default: throw new ArgumentException($"Unknown argument {args[i]}.");
            }
        }
        return new Options(database ?? throw new ArgumentException("--database is required."), interceptions, label, drop);
    }
}

/// <summary>
/// Records shaped like the gateway's traffic: every interception has a start, a prompt, a token-usage row (priced)
/// and an end; one in three calls a tool, one in ten records a thought. 50 users, 3 providers, 8 models, 5 clients.
/// </summary>
internal sealed class Traffic(int seed)
{
    private const int MaxBatchRecords = 4096;   // AuditWriter's batch size
    private static readonly string[] Providers = ["openai", "anthropic", "bedrock"];
    private static readonly string[] Models = ["gpt-5", "gpt-5-mini", "gpt-4.1", "o4-mini", "claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5", "gpt-5-nano"];
    private static readonly string[] Clients = ["Claude Code", "Codex", "Cursor", "curl", "openai-python"];

    private readonly Random _random = new(seed);
    private readonly Guid[] _users = [.. Enumerable.Range(0, 50).Select(_ => Guid.NewGuid())];
    private readonly string _prompt = string.Concat(Enumerable.Repeat("Refactor the retry loop so a lost ack never doubles a row — ünïcödé ✓. ", 8));
    private readonly string _toolResult = string.Concat(Enumerable.Repeat("{\"path\":\"src/Storage/AuditStore.cs\",\"line\":42},", 12));
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    /// <summary>Whole interceptions, up to <see cref="MaxBatchRecords"/> records or <paramref name="limit"/> interceptions.</summary>
    public (List<AuditRecord> Records, int Interceptions, int Rows) Batch(int limit)
    {
        var records = new List<AuditRecord>(MaxBatchRecords);
        var interceptions = 0;
        while (interceptions < limit && records.Count + 6 <= MaxBatchRecords)
        {
            Interception(records);
            interceptions++;
        }
        return (records, interceptions, records.Count(r => r is not InterceptionEnded));
    }

    private void Interception(List<AuditRecord> records)
    {
        _now = _now.AddTicks(1_237);   // distinct microseconds, ids in time order
        var id = AuditIds.New(_now);
        var provider = _random.Next(Providers.Length);
        records.Add(new InterceptionStarted(id, _now, _users[_random.Next(_users.Length)], Providers[provider], Providers[provider],
            Models[_random.Next(Models.Length)], Clients[_random.Next(Clients.Length)], "claude-cli/2.0.31 (external, cli)",
            $"sess-{_random.Next(1000)}", _random.Next(2) == 0, """{"user_id":"u-1","trace":"abc123"}"""));
        records.Add(new PromptRecorded(id, _now, _prompt));
        if (_random.Next(10) == 0)
            records.Add(new ThoughtRecorded(id, _now, "Let me look at the retry path first.", "thinking"));
        if (_random.Next(3) == 0)
            records.Add(new ToolUsageRecorded(id, _now, "bmcp_github_search", "toolu_01", """{"q":"retry","repo":"bridgekeeper"}""", true,
                "https://mcp.example/mcp", _toolResult, null, _random.Next(5, 900)));
        records.Add(new TokenUsageRecorded(id, _now, $"msg_{_random.NextInt64():x}", _random.Next(100, 20_000), _random.Next(10, 4_000),
            _random.Next(0, 10_000), 0, 0, """{"service_tier":"standard"}""", 0.0123456789m));
        records.Add(new InterceptionEnded(id, _now.AddMilliseconds(900), InterceptionStatus.Completed, null));
    }
}
