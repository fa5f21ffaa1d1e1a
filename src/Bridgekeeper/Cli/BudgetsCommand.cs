using System.CommandLine;
using System.Globalization;
using Bridgekeeper.Api;

namespace Bridgekeeper.Cli;

/// <summary>
/// <c>bridgekeeper budgets set (--user U | --group G | --key KEY_ID) --usd AMOUNT --period day|week|month [--per-member]</c>,
/// <c>budgets list</c> and <c>budgets delete ID</c>. A running gateway applies a change within seconds.
/// </summary>
internal static class BudgetsCommand
{
    public static Command Create(CliGlobals globals)
    {
        var command = new Command("budgets", "Manage spend budgets in USD per UTC day, week or month");
        command.Subcommands.Add(SetBudget(globals));
        command.Subcommands.Add(ListBudgets(globals));
        command.Subcommands.Add(DeleteBudget(globals));
        return command;
    }

    private static Command SetBudget(CliGlobals globals)
    {
        var user = new Option<string?>("--user") { Description = "A budget for this user's requests" };
        var group = new Option<string?>("--group") { Description = "A budget for the requests of this group's members, pooled (or each, with --per-member)" };
        var key = new Option<string?>("--key") { Description = "A budget for the requests made with this key (its id, from keys list)" };
        var usd = new Option<decimal?>("--usd") { Description = "The budget in USD per period", Required = true };
        var period = new Option<string>("--period") { Description = "day, week (from Monday) or month, in UTC", Required = true };
        var perMember = new Option<bool>("--per-member") { Description = "Apply a group budget to each member on their own" };
        var command = new Command("set", "Add a budget");
        foreach (var option in new Option[] { user, group, key, usd, period, perMember })
            command.Options.Add(option);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var request = new BudgetRequest(result.GetValue(user), result.GetValue(group), result.GetValue(key), result.GetValue(usd), result.GetValue(period),
                result.GetValue(perMember));
            var (budget, error) = await SpendAccounts.CreateBudgetAsync(SpendAccounts.Stores(database), request, cancellationToken);
            if (error is not null)
                return CliRunner.Fail(error);
            Console.Out.WriteLine($"Created budget {budget!.Id}.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command ListBudgets(CliGlobals globals)
    {
        var format = CliOutput.FormatOption(CliOutput.Table, CliOutput.Json);
        var command = new Command("list", "List budgets with what is spent and held in the current period");
        command.Options.Add(format);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            var budgets = await SpendAccounts.DescribeAsync(SpendAccounts.Stores(database), TimeProvider.System.GetUtcNow(), null, cancellationToken);
            if (result.GetValue(format) == CliOutput.Json)
                CliOutput.WriteJson(budgets, ApiJsonContext.Default.IReadOnlyListBudgetDto);
            else
                CliOutput.WriteTable(["ID", "SCOPE", "SUBJECT", "USD", "PERIOD", "MEMBER", "SPENT", "RESERVED", "REMAINING", "RESETS"],
                    budgets.SelectMany(b => b.Current.Select(a => (IReadOnlyList<string>)[b.Id.ToString(), b.Scope + (b.PerMember ? " (each member)" : ""),
                        b.Subject, Usd(b.Usd), b.Period, a.Member ?? "", Usd(a.SpentUsd), Usd(a.ReservedUsd), Usd(a.RemainingUsd), CliOutput.ShortTime(a.ResetsAt)])));
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command DeleteBudget(CliGlobals globals)
    {
        var id = new Argument<string>("ID") { Description = "The budget's id (from budgets list)" };
        var command = new Command("delete", "Delete a budget");
        command.Arguments.Add(id);
        command.SetAction((result, cancellationToken) => CliRunner.WithDatabaseAsync(globals, result, async database =>
        {
            if (await SpendAccounts.DeleteBudgetAsync(SpendAccounts.Stores(database).Budgets, result.GetValue(id)!, cancellationToken) is { } error)
                return CliRunner.Fail(error);
            Console.Out.WriteLine($"Deleted budget {result.GetValue(id)}.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static string Usd(decimal value) => value.ToString("0.00####", CultureInfo.InvariantCulture);
}
