using Bridgekeeper.Auth;
using Bridgekeeper.Hosting;
using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Recording;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Microsoft.Extensions.Time.Testing;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Pricing;

/// <summary>Cost is priced once, when the usage row is recorded, stored per row, and summed on the way out.</summary>
public sealed class CostRecordingTests
{
    [Fact]
    public void RecordExchange_KnownModel_UsageRowCarriesItsCost_UnknownModelNull()
    {
        var sink = new ListSink();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var provider = new Provider(new ProviderSettings("openai", ProviderTypes.OpenAI, null, new Uri("http://127.0.0.1:9/")),
            new OpenAIChatDialect(), null, [], []);
        var prices = new CostCalculator(new Dictionary<string, ModelPrice>());
        var usage = new TokenUsage(Input: 1000, Output: 500, CacheRead: 4000, CacheWrite: 0, Reasoning: 300);

        foreach (var model in new[] { "gpt-5-2025-08-07", "my-local-model" })
        {
            var interception = new global::Bridgekeeper.Interception.Interception(sink, time, new GatewayUser(Guid.NewGuid(), "alice", Roles.Member, Guid.NewGuid()),
                provider, provider.ErrorDialect, prices);
            interception.Start(new RequestFacts(model, false, null, null, true), "Codex", null, null);
            interception.RecordExchange(new ExchangeSummary("resp_1", usage, [], [], null), new HashSet<string>());
        }

        var rows = sink.Records.OfType<TokenUsageRecorded>().ToList();
        Assert.Equal([0.00675m, null], rows.Select(r => r.CostUsd));
    }

    [Fact]
    public void RecordExchange_PricesAtTheInterceptionsStart_SoADatedChangeAppliesOnlyToLaterInterceptions()
    {
        // claude-sonnet-4-6 lost its long-context tier on 2026-03-13 (UTC): 300k input + 1k output cost 1.8225 before, 0.915 after.
        var sink = new ListSink();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 12, 23, 59, 0, TimeSpan.Zero));
        var provider = new Provider(new ProviderSettings("anthropic", ProviderTypes.Anthropic, null, new Uri("http://127.0.0.1:9/")),
            new Bridgekeeper.Providers.AnthropicMessages.AnthropicMessagesDialect(), null, [], []);
        var prices = new CostCalculator(new Dictionary<string, ModelPrice>());
        var usage = new TokenUsage(Input: 300_000, Output: 1000, CacheRead: 0, CacheWrite: 0, Reasoning: 0);
        global::Bridgekeeper.Interception.Interception Begin()
        {
            var interception = new global::Bridgekeeper.Interception.Interception(sink, time,
                new GatewayUser(Guid.NewGuid(), "alice", Roles.Member, Guid.NewGuid()), provider, provider.ErrorDialect, prices);
            interception.Start(new RequestFacts("claude-sonnet-4-6", true, null, null, true), "Claude Code", null, null);
            return interception;
        }

        var before = Begin();                                   // arrives at 23:59 on the 12th
        time.Advance(TimeSpan.FromMinutes(2));                  // its long stream ends on the 13th
        before.RecordExchange(new ExchangeSummary("msg_1", usage, [], [], null), new HashSet<string>());
        Begin().RecordExchange(new ExchangeSummary("msg_2", usage, [], [], null), new HashSet<string>());   // arrives on the 13th

        Assert.Equal([1.8225m, 0.915m], sink.Records.OfType<TokenUsageRecorded>().Select(r => r.CostUsd));
    }

    [Fact]
    public async Task Store_CostPerRow_InterceptionSumsRowsOrNullWhenAnyIsUnpriced()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync("alice", Roles.Member, null, ct);
        var priced = Started(alice.Id, T0);
        var mixed = Started(alice.Id, T0.AddMinutes(1));
        var bare = Started(alice.Id, T0.AddMinutes(2));
        var store = new AuditStore(temp.Database);
        await store.AppendAsync(
        [
            priced, Tokens(priced.InterceptionId, T0, 1000, 500, 4000, cost: 0.00675m), Tokens(priced.InterceptionId, T0.AddSeconds(1), 12, 40, 1000, 200, cost: 0.001686m),
            mixed, Tokens(mixed.InterceptionId, T0.AddMinutes(1), 10, 10, cost: 0.9525075m), Tokens(mixed.InterceptionId, T0.AddMinutes(1).AddSeconds(1), 10, 10),
            bare, Ended(bare.InterceptionId, T0.AddMinutes(2)),
        ], ct);

        var pricedView = await store.GetAsync(priced.InterceptionId, null, ct);
        var mixedView = await store.GetAsync(mixed.InterceptionId, null, ct);
        var bareView = await store.GetAsync(bare.InterceptionId, null, ct);

        Assert.Equal([0.00675m, 0.001686m], pricedView!.TokenUsages.Select(t => t.CostUsd));
        Assert.Equal(0.008436m, pricedView.CostUsd);
        Assert.Equal([0.9525075m, null], mixedView!.TokenUsages.Select(t => t.CostUsd));
        Assert.Null(mixedView.CostUsd);
        Assert.Null(bareView!.CostUsd);

        var usage = Assert.Single(await store.UsageAsync(new UsageQuery(UsageGroups.User), ct));
        Assert.Equal(new UsageRow("alice", 3, 1032, 560, 5000, 200, 0, 0.9609435m, UnpricedInterceptions: 1), usage);
    }

    [Fact]
    public async Task Usage_ManyRows_SumIsExactDespiteFloatingPointStorage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync("alice", Roles.Member, null, ct);
        var started = Started(alice.Id, T0);
        List<AuditRecord> batch = [started];
        for (var i = 0; i < 1000; i++)
            batch.Add(Tokens(started.InterceptionId, T0.AddMilliseconds(i), 1, 1, cost: 0.1m));
        var store = new AuditStore(temp.Database);
        await store.AppendAsync(batch, ct);

        var usage = Assert.Single(await store.UsageAsync(new UsageQuery(UsageGroups.Day), ct));

        Assert.Equal(100m, usage.CostUsd);
        Assert.Equal(100m, (await store.GetAsync(started.InterceptionId, null, ct))!.CostUsd);
    }

    private sealed class ListSink : IAuditSink
    {
        public List<AuditRecord> Records { get; } = [];

        public bool TryAdmit() => true;

        public void Record(params ReadOnlySpan<AuditRecord> records) => Records.AddRange(records);

        public void Release()
        {
        }
    }
}
