using System.Collections;
using System.Globalization;
using System.Numerics;
using Bridgekeeper.Api;
using Bridgekeeper.Providers;
using Bridgekeeper.Settings;
using Bridgekeeper.Spend;
using Bridgekeeper.Storage;
using YamlDotNet.RepresentationModel;

namespace Bridgekeeper.Hosting;

/// <summary>
/// Spend control in the settings. <c>model_aliases</c> (YAML: a map of alias to <c>provider/model</c> or to
/// <c>{provider, model}</c>; environment: <c>BRIDGEKEEPER_MODEL_ALIASES=alias=provider/model,…</c>) are settings like any
/// other. <c>groups</c>, <c>budgets</c> and <c>limits</c> (YAML only) declare rows of the database, applied at each
/// start before the gateway serves (<see cref="ApplyAsync"/>): each group is created when missing, given exactly its
/// <c>members</c> and its <c>models</c> allowlist when they are listed; each budget is created, or its <c>usd</c> changed
/// when one on the same subject, period and <c>per_member</c> exists; each limit is set. Nothing the file does not name
/// is removed, so what admins add through the API or the CLI stays.
/// </summary>
internal static class SpendSettings
{
    public const string AliasesKey = "model_aliases";
    public static readonly string[] YamlKeys = [AliasesKey, "groups", "budgets", "limits"];

    public static IReadOnlyList<ModelAlias> Aliases(IDictionary environment, IReadOnlyDictionary<string, YamlNode> yaml, IReadOnlyList<ProviderSettings> providers)
    {
        var entries = new List<(string Name, string Target)>();
        if (environment["BRIDGEKEEPER_MODEL_ALIASES"] is string text)
            foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                entries.Add(entry.IndexOf('=') is > 0 and var eq ? (entry[..eq].Trim(), entry[(eq + 1)..].Trim())
                    : throw new SettingsException(AliasesKey, $"'{entry}' is not alias=provider/model."));
        else if (yaml.TryGetValue(AliasesKey, out var node) && node is not YamlScalarNode { Value: null or "" })
        {
            if (node is not YamlMappingNode map)
                throw new SettingsException(AliasesKey, "must map each alias to provider/model, or to {provider, model}.");
            foreach (var (key, value) in map.Children)
                entries.Add(((key as YamlScalarNode)?.Value ?? "", value switch
                {
                    YamlScalarNode scalar => scalar.Value ?? "",
                    YamlMappingNode fields => $"{Scalar(fields, "provider")}/{Scalar(fields, "model")}",
                    _ => "",
                }));
        }
        var aliases = new List<ModelAlias>();
        foreach (var (name, target) in entries)
        {
            var setting = $"{AliasesKey}.{name}";
            if (ModelAccess.Problem(name) is { } problem)
                throw new SettingsException(setting, problem);
            var slash = target.IndexOf('/');
            if (slash <= 0 || slash == target.Length - 1)
                throw new SettingsException(setting, $"'{target}' is not provider/model.");
            var (provider, model) = (target[..slash], target[(slash + 1)..]);
            if (providers.All(p => p.Name != provider))
                throw new SettingsException(setting, $"there is no provider '{provider}' (the providers are {string.Join(", ", providers.Select(p => p.Name))}).");
            if (providers.Single(p => p.Name == provider).Type == ProviderTypes.Copilot)
                throw new SettingsException(setting, "a copilot provider is reached through the proxy with each user's own credential; an alias cannot send requests to it.");
            if (aliases.Any(a => a.Name == name))
                throw new SettingsException(setting, "is given twice.");
            aliases.Add(new ModelAlias(name, provider, model));
        }
        return aliases;
    }

    /// <summary>The groups, budgets and limits the YAML declares, checked for shape (names are checked against the database when applied).</summary>
    public static SpendDeclarations Declarations(IReadOnlyDictionary<string, YamlNode> yaml)
    {
        var groups = new List<DeclaredGroup>();
        if (yaml.TryGetValue("groups", out var groupsNode) && groupsNode is not YamlScalarNode { Value: null or "" })
        {
            if (groupsNode is not YamlMappingNode map)
                throw new SettingsException("groups", "must map each group's name to {members: [users], models: [patterns]}.");
            foreach (var (key, value) in map.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                var fields = value as YamlMappingNode ?? (value is YamlScalarNode { Value: null or "" } ? new YamlMappingNode()
                    : throw new SettingsException($"groups.{name}", "must be a map of members and models."));
                Known(fields, $"groups.{name}", "members", "models");
                groups.Add(new DeclaredGroup(name, List(fields, "members", $"groups.{name}"), List(fields, "models", $"groups.{name}")));
            }
        }
        var budgets = Items(yaml, "budgets", ["user", "group", "key", "usd", "period", "per_member"], (fields, setting) => new BudgetRequest(
            Scalar(fields, "user"), Scalar(fields, "group"), Scalar(fields, "key"), Number<decimal>(fields, "usd", setting), Scalar(fields, "period"),
            PerMember(fields, setting)));
        var limits = Items(yaml, "limits", ["user", "group", "key", "rpm", "tpm", "per_member"], (fields, setting) => new LimitRequest(
            Scalar(fields, "user"), Scalar(fields, "key"), Number<long>(fields, "rpm", setting), Number<long>(fields, "tpm", setting), Scalar(fields, "group"),
            PerMember(fields, setting)));
        return new SpendDeclarations(groups, budgets, limits);
    }

    /// <summary>Applies the declarations to the database; a name it does not know stops startup with the setting named.</summary>
    public static async Task ApplyAsync(SpendDeclarations declared, SpendStores stores, CancellationToken cancellationToken)
    {
        foreach (var group in declared.Groups)
        {
            var setting = $"groups.{group.Name}";
            var row = await stores.Groups.FindAsync(group.Name, cancellationToken) ?? Check(setting, await SpendAccounts.CreateGroupAsync(stores.Groups, group.Name, cancellationToken));
            if (group.Members is { } members)
            {
                foreach (var member in members.Except(row.Members, StringComparer.Ordinal))
                    Check($"{setting}.members", await SpendAccounts.ChangeMemberAsync(stores.Groups, stores.Users, group.Name, member, add: true, cancellationToken));
                foreach (var former in row.Members.Except(members, StringComparer.Ordinal))
                    Check($"{setting}.members", await SpendAccounts.ChangeMemberAsync(stores.Groups, stores.Users, group.Name, former, add: false, cancellationToken));
            }
            if (group.Models is { } models)
                Check($"{setting}.models", await PolicyAccounts.SetAllowlistAsync(stores, new AllowlistRequest(group.Name, null, models), cancellationToken));
        }
        var existing = await stores.Budgets.ListAsync(cancellationToken);
        for (var i = 0; i < declared.Budgets.Count; i++)
        {
            var budget = declared.Budgets[i];
            var (scope, subject, error) = await SpendAccounts.SubjectAsync(stores, budget.User, budget.Group, budget.Key, cancellationToken);
            var same = error is null ? existing.FirstOrDefault(b => b.Scope == scope && b.SubjectId == subject && b.Period == budget.Period?.Trim()
                && b.PerMember == budget.PerMember) : null;
            if (same is not null && budget.Usd is > 0 and <= SpendAccounts.MaxUsd)
                await stores.Budgets.SetLimitAsync(same.Id, Nanos.FromUsd(budget.Usd.Value), cancellationToken);
            else
                Check($"budgets[{i}]", await SpendAccounts.CreateBudgetAsync(stores, budget, cancellationToken));
        }
        for (var i = 0; i < declared.Limits.Count; i++)
            Check($"limits[{i}]", await PolicyAccounts.SetLimitAsync(stores, declared.Limits[i], cancellationToken));
    }

    private static T Check<T>(string setting, (T? Value, ApiError? Error) result) where T : class =>
        result.Error is { } error ? throw new SettingsException(setting, error.Message) : result.Value!;

    private static List<T> Items<T>(IReadOnlyDictionary<string, YamlNode> yaml, string key, string[] fields, Func<YamlMappingNode, string, T> read)
    {
        if (!yaml.TryGetValue(key, out var node) || node is YamlScalarNode { Value: null or "" })
            return [];
        if (node is not YamlSequenceNode list)
            throw new SettingsException(key, $"must be a list of maps of {string.Join(", ", fields)}.");
        var items = new List<T>();
        foreach (var (item, i) in list.Children.Select((item, i) => (item, i)))
        {
            var setting = $"{key}[{i}]";
            if (item is not YamlMappingNode map)
                throw new SettingsException(setting, $"must be a map of {string.Join(", ", fields)}.");
            Known(map, setting, fields);
            items.Add(read(map, setting));
        }
        return items;
    }

    private static void Known(YamlMappingNode map, string setting, params string[] fields)
    {
        foreach (var key in map.Children.Keys)
            if ((key as YamlScalarNode)?.Value is not { } name || !fields.Contains(name))
                throw new SettingsException($"{setting}.{(key as YamlScalarNode)?.Value}", $"is not one of {string.Join(", ", fields)}.");
    }

    private static bool PerMember(YamlMappingNode map, string setting) =>
        Scalar(map, "per_member") is { } text && (bool.TryParse(text, out var each) ? each
            : throw new SettingsException($"{setting}.per_member", $"'{text}' is not true or false."));

    private static string? Scalar(YamlMappingNode map, string field) =>
        map.Children.TryGetValue(new YamlScalarNode(field), out var value) ? (value as YamlScalarNode)?.Value : null;

    private static IReadOnlyList<string>? List(YamlMappingNode map, string field, string setting) =>
        !map.Children.TryGetValue(new YamlScalarNode(field), out var value) ? null
        : value is YamlSequenceNode list ? [.. list.Children.Select(item => (item as YamlScalarNode)?.Value
            ?? throw new SettingsException($"{setting}.{field}", "must be a list of plain values."))]
        : throw new SettingsException($"{setting}.{field}", "must be a list.");

    private static T? Number<T>(YamlMappingNode map, string field, string setting) where T : struct, INumber<T>
    {
        if (Scalar(map, field) is not { } text)
            return null;
        return T.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value
            : throw new SettingsException($"{setting}.{field}", $"'{text}' is not a number.");
    }
}

/// <summary>A group the settings declare: its members and model allowlist, each only when listed.</summary>
internal sealed record DeclaredGroup(string Name, IReadOnlyList<string>? Members, IReadOnlyList<string>? Models);

/// <summary>The groups, budgets and limits the settings declare (<see cref="SpendSettings.ApplyAsync"/>).</summary>
internal sealed record SpendDeclarations(IReadOnlyList<DeclaredGroup> Groups, IReadOnlyList<BudgetRequest> Budgets, IReadOnlyList<LimitRequest> Limits)
{
    public static readonly SpendDeclarations None = new([], [], []);
}
