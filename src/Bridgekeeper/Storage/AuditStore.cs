using System.Globalization;

namespace Bridgekeeper.Storage;

/// <summary>
/// The audit trail: appends recorded batches (one transaction each) and answers the queries of the REST API and
/// the CLI. SQL is portable: <c>@name</c> parameters, values through <see cref="SqlDialect"/>, and dialect
/// expressions only from <see cref="SqlDialect"/>.
/// </summary>
internal sealed partial class AuditStore(Database database)
{
    private readonly InterceptionReader _reader = new(database.Dialect);

    /// <summary>Shapes <paramref name="records"/> and writes them (see <see cref="AppendAsync(AuditBatch, CancellationToken)"/>).</summary>
    public Task AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken) =>
        records.Count == 0 ? Task.CompletedTask : AppendAsync(AuditBatch.Shape(records), cancellationToken);

    /// <summary>
    /// Writes a shaped batch in one transaction: all of it or none of it. Throws on database failure; the caller retries
    /// the same shaped batch, which is safe because a failed transaction left nothing behind and every insert is idempotent.
    /// </summary>
    public async Task AppendAsync(AuditBatch batch, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (connection is Npgsql.NpgsqlConnection postgres)
        {
            await PostgresBatchWriter.WriteAsync(postgres, batch, cancellationToken);
            return;
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        SqliteBatchWriter.Write((Microsoft.Data.Sqlite.SqliteConnection)connection, batch);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>A page of interceptions with their children, newest first, read at once (the CLI's path).</summary>
    /// <exception cref="ArgumentException">The limit is out of range or the cursor is not one this store issued.</exception>
    public async Task<InterceptionPage> ListAsync(InterceptionQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var page = await ListRowsAsync(connection, query, cancellationToken);
        var views = await _reader.WithChildrenAsync(connection, page.Rows, cancellationToken);
        return new InterceptionPage(views, page.More ? InterceptionCursor.Format(views[^1].Id) : null);
    }

    /// <summary>
    /// The interception rows of a page, newest first, without their children (see <see cref="WithChildrenAsync"/>),
    /// and whether more rows match after them. Small whatever the children weigh, so a caller can stream the page.
    /// </summary>
    /// <exception cref="ArgumentException">The limit is out of range or the cursor is not one this store issued.</exception>
    public async Task<InterceptionRows> ListRowsAsync(InterceptionQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await ListRowsAsync(connection, query, cancellationToken);
    }

    /// <summary>
    /// <paramref name="rows"/> with their children, on a connection of its own (so a caller streaming a page holds no
    /// connection while it writes to a slow client).
    /// </summary>
    public async Task<IReadOnlyList<InterceptionView>> WithChildrenAsync(IReadOnlyList<InterceptionView> rows, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await _reader.WithChildrenAsync(connection, rows, cancellationToken);
    }

    private async Task<InterceptionRows> ListRowsAsync(System.Data.Common.DbConnection connection, InterceptionQuery query, CancellationToken cancellationToken)
    {
        var cursor = InterceptionCursor.Checked(query);

        var dialect = database.Dialect;
        await using var command = connection.CreateCommand();
        var where = new SqlWhere(command)
            .Filters(query, dialect)
            .Add("i.id < @cursor", "cursor", cursor is { } c ? dialect.Id(c) : null);
        command.CommandText = $"{InterceptionReader.Select}{where} ORDER BY i.id DESC LIMIT @limit";
        return await InterceptionReader.ReadPageAsync(command, query.Limit, cancellationToken);
    }

    /// <summary>One interception with its children; null when it does not exist or belongs to someone other than <paramref name="onlyUserId"/>.</summary>
    public async Task<InterceptionView?> GetAsync(Guid id, Guid? onlyUserId, CancellationToken cancellationToken)
    {
        var dialect = database.Dialect;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new SqlWhere(command)
            .Add("i.id = @id", "id", dialect.Id(id))
            .Add("i.user_id = @only_user", "only_user", onlyUserId is { } only ? dialect.Id(only) : null);
        command.CommandText = $"{InterceptionReader.Select}{where}";
        var rows = await InterceptionReader.ReadRowsAsync(command, cancellationToken);
        return (await _reader.WithChildrenAsync(connection, rows, cancellationToken)).SingleOrDefault();
    }

    /// <summary>The user whose interception received the upstream response <paramref name="responseId"/>; null when none did.</summary>
    public async Task<Guid?> ResponseOwnerAsync(string responseId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT i.user_id FROM token_usages t JOIN interceptions i ON i.id = t.interception_id
            WHERE t.response_id = @response_id LIMIT 1
            """;
        command.AddParameter("response_id", responseId);
        return await command.ExecuteScalarAsync(cancellationToken) is { } owner and not DBNull ? SqlDialect.ReadId(owner) : null;
    }

    /// <summary>
    /// Injected tool calls and how many of them failed, per MCP server (<c>tool_usages.server_url</c>), for the
    /// interceptions that started in the range (and, for a member, are theirs).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, (long Calls, long Failures)>> InjectedCallsAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        var dialect = database.Dialect;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new SqlWhere(command).Always("t.injected").Range(query, dialect);
        command.CommandText = $"""
            SELECT t.server_url, COUNT(*), COUNT(t.error)
            FROM tool_usages t JOIN interceptions i ON i.id = t.interception_id
            {where}
            GROUP BY t.server_url
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var calls = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            if (!reader.IsDBNull(0))
                calls[reader.GetString(0)] = (Long(reader.GetValue(1)), Long(reader.GetValue(2)));
        return calls;
    }

    private static long Long(object value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
