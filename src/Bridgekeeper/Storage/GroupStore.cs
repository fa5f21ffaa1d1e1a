namespace Bridgekeeper.Storage;

/// <summary>Groups of users (for budgets: pooled for the group, or applied to each member).</summary>
internal sealed class GroupStore(Database database, TimeProvider time)
{
    /// <exception cref="DuplicateNameException">A group with this name exists.</exception>
    public async Task<GroupRow> CreateAsync(string name, CancellationToken cancellationToken)
    {
        var group = new GroupRow(Guid.CreateVersion7(time.GetUtcNow()), name, time.GetUtcNow(), []);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO groups (id, name, created_at) VALUES (@id, @name, @created_at) ON CONFLICT (name) DO NOTHING";
        command.AddParameter("id", database.Dialect.Id(group.Id));
        command.AddParameter("name", name);
        command.AddParameter("created_at", database.Dialect.Timestamp(group.CreatedAt));
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            throw new DuplicateNameException($"A group named '{name}' already exists.");
        return group;
    }

    /// <summary>Every group with its members' names, by name.</summary>
    public async Task<IReadOnlyList<GroupRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT g.id, g.name, g.created_at, u.name
            FROM groups g LEFT JOIN group_members m ON m.group_id = g.id LEFT JOIN users u ON u.id = m.user_id
            ORDER BY g.name, u.name
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var groups = new List<GroupRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = SqlDialect.ReadId(reader.GetValue(0));
            if (groups.Count == 0 || groups[^1].Id != id)
                groups.Add(new GroupRow(id, reader.GetString(1), SqlDialect.ReadTimestamp(reader.GetValue(2)), new List<string>()));
            if (!reader.IsDBNull(3))
                ((List<string>)groups[^1].Members).Add(reader.GetString(3));
        }
        return groups;
    }

    public async Task<GroupRow?> FindAsync(string name, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken)).FirstOrDefault(g => g.Name == name);

    /// <summary>Every (group, user) membership: what the budget book caches.</summary>
    public async Task<IReadOnlyList<(Guid Group, Guid User)>> MembershipsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_id, user_id FROM group_members";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var memberships = new List<(Guid, Guid)>();
        while (await reader.ReadAsync(cancellationToken))
            memberships.Add((SqlDialect.ReadId(reader.GetValue(0)), SqlDialect.ReadId(reader.GetValue(1))));
        return memberships;
    }

    /// <summary>Adds a member; false when the user already was one.</summary>
    public async Task<bool> AddAsync(Guid groupId, Guid userId, CancellationToken cancellationToken) =>
        await ExecuteAsync("INSERT INTO group_members (group_id, user_id) VALUES (@group_id, @user_id) ON CONFLICT DO NOTHING", groupId, userId,
            cancellationToken) > 0;

    /// <summary>Removes a member; false when the user was not one.</summary>
    public async Task<bool> RemoveAsync(Guid groupId, Guid userId, CancellationToken cancellationToken) =>
        await ExecuteAsync("DELETE FROM group_members WHERE group_id = @group_id AND user_id = @user_id", groupId, userId, cancellationToken) > 0;

    private async Task<int> ExecuteAsync(string sql, Guid groupId, Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.AddParameter("group_id", database.Dialect.Id(groupId));
        command.AddParameter("user_id", database.Dialect.Id(userId));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>A group and its members' names (sorted).</summary>
internal sealed record GroupRow(Guid Id, string Name, DateTimeOffset CreatedAt, IReadOnlyList<string> Members);
