using System.Data.Common;

namespace Bridgekeeper.Storage;

/// <summary>Builds a <c>WHERE</c> clause of optional conditions, adding each condition's parameter to the command.</summary>
internal sealed class SqlWhere(DbCommand command)
{
    private readonly List<string> _conditions = [];

    /// <summary>Adds <paramref name="condition"/> with <c>@name</c> bound to <paramref name="value"/>; does nothing when the value is null.</summary>
    public SqlWhere Add(string condition, string name, object? value)
    {
        if (value is null)
            return this;
        _conditions.Add(condition);
        command.AddParameter(name, value);
        return this;
    }

    /// <summary>Adds a condition without a parameter.</summary>
    public SqlWhere Always(string condition)
    {
        _conditions.Add(condition);
        return this;
    }

    /// <summary>
    /// The filters of <paramref name="query"/> other than its cursor and limit, on <c>interceptions</c> as <c>i</c>: the
    /// same for a page of interceptions and for the sessions they make up.
    /// </summary>
    public SqlWhere Filters(InterceptionQuery query, SqlDialect dialect) =>
        Add("i.user_id IN (SELECT id FROM users WHERE name = @user)", "user", query.User)
            .Add("i.provider = @provider", "provider", query.Provider)
            .Add("i.model = @model", "model", query.Model)
            .Add("i.client = @client", "client", query.Client)
            .Between(query.Since, query.Until, dialect)
            .Add("i.user_id = @only_user", "only_user", query.OnlyUserId is { } only ? dialect.Id(only) : null);

    /// <summary>The time range of <paramref name="query"/> on <c>interceptions</c> as <c>i</c>, and for a member their own only.</summary>
    public SqlWhere Range(UsageQuery query, SqlDialect dialect) =>
        Between(query.Since, query.Until, dialect)
            .Add("i.user_id = @only_user", "only_user", query.OnlyUserId is { } only ? dialect.Id(only) : null);

    /// <summary>
    /// <c>since &lt;= i.started_at &lt; until</c>, each bound when given, and the same bounds on <c>i.id</c>: an
    /// interception's id is a UUIDv7 of the instant it started (<see cref="AuditIds.FirstAt"/>), so the id bounds select
    /// the same rows while letting the primary key (and on PostgreSQL the month partitions) narrow the scan.
    /// </summary>
    private SqlWhere Between(DateTimeOffset? since, DateTimeOffset? until, SqlDialect dialect) =>
        Add("i.started_at >= @since", "since", since is { } from ? dialect.Timestamp(from) : null)
            .Add("i.id >= @since_id", "since_id", since is { } fromId ? dialect.Id(AuditIds.FirstAt(fromId)) : null)
            .Add("i.started_at < @until", "until", until is { } to ? dialect.Timestamp(to) : null)
            .Add("i.id < @until_id", "until_id", until is { } toId ? dialect.Id(AuditIds.FirstAt(toId.AddMilliseconds(1))) : null);

    public override string ToString() => _conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", _conditions);
}
