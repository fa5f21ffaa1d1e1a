using Bridgekeeper.Metrics;
using Bridgekeeper.Pricing;

namespace Bridgekeeper.Tests.Metrics;

public sealed class ModelLabelsTests
{
    private static readonly CostCalculator Prices = new(new Dictionary<string, ModelPrice>
    {
        ["House-Model"] = ModelPrice.PerMillionTokens(input: 1, output: 2),
        ["gpt-4o"] = ModelPrice.PerMillionTokens(input: 3, output: 4),
    });

    [Theory]
    [InlineData("claude-sonnet-4-5", "claude-sonnet-4-5")]
    [InlineData("CLAUDE-SONNET-4-5", "claude-sonnet-4-5")]
    [InlineData("anthropic/claude-sonnet-4-5", "claude-sonnet-4-5")]
    [InlineData("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4-5@20250929", "claude-sonnet-4-5")]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]          // the operator's gpt-4o price covers its snapshots, so its name is the label
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("house-model", "House-Model")]
    [InlineData("openai/house-model", "House-Model")]
    [InlineData("gpt-4o-but-not-really", ModelLabels.Other)]
    [InlineData("my-finetune-7f3a9", ModelLabels.Other)]
    [InlineData("", ModelLabels.Other)]
    [InlineData("claude\n\"}{evil", ModelLabels.Other)]
    public void For_RequestedModel_IsItsCanonicalNameOrOther(string requested, string expected) =>
        Assert.Equal(expected, new ModelLabels(Prices.KnownName).For(requested));

    [Fact]
    public void For_MoreKnownNamesThanTheCapacity_KeepsTheFirstAndFoldsTheRest()
    {
        var labels = new ModelLabels(model => model.StartsWith("known-", StringComparison.Ordinal) ? model : null, capacity: 3);

        string[] first = [labels.For("known-a"), labels.For("known-b"), labels.For("known-a"), labels.For("known-c")];
        string[] later = [labels.For("known-d"), labels.For("unknown"), labels.For("known-b"), labels.For("known-e")];

        Assert.Equal(["known-a", "known-b", "known-a", "known-c"], first);
        Assert.Equal([ModelLabels.Other, ModelLabels.Other, "known-b", ModelLabels.Other], later);
        Assert.Equal(3, labels.Count);
    }

    [Fact]
    public async Task For_ManyNamesAtOnce_AdmitsExactlyTheCapacityAndAnswersEachNameTheSameWay()
    {
        var labels = new ModelLabels(model => model, capacity: 100);
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentBag<string>>();

        await Parallel.ForAsync(0, 4000, TestContext.Current.CancellationToken, (i, _) =>
        {
            var model = "m" + (i % 1000);
            answers.GetOrAdd(model, _ => []).Add(labels.For(model));
            return ValueTask.CompletedTask;
        });

        var admitted = answers.Where(a => a.Value.Contains(a.Key)).Select(a => a.Key).ToList();
        Assert.Equal(100, admitted.Count);
        Assert.Equal(100, labels.Count);
        Assert.All(admitted, model => Assert.All(answers[model], label => Assert.Equal(model, label)));
        Assert.All(answers.Where(a => !admitted.Contains(a.Key)), a => Assert.All(a.Value, label => Assert.Equal(ModelLabels.Other, label)));
    }

    [Fact]
    public void None_KnowsNoModel() =>
        Assert.Equal([ModelLabels.Other, ModelLabels.Other], [ModelLabels.None.For("claude-sonnet-4-5"), ModelLabels.None.For("x")]);

    [Fact]
    public void ShippedTable_HasFewerModelsThanTheCap_SoEveryShippedModelKeepsItsLabel() =>
        Assert.InRange(ShippedPrices.Matched.Count + ShippedPrices.Fallback.Count, 1, ModelLabels.MaxLabels);
}
