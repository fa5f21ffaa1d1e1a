using Bridgekeeper.Storage;

namespace Bridgekeeper.Tests.Storage;

public sealed class AuditIdsTests
{
    [Fact]
    public void New_IsAVersion7UuidCarryingTheMillisecond()
    {
        var at = new DateTimeOffset(2026, 11, 26, 5, 30, 1, 234, TimeSpan.Zero);

        var id = AuditIds.New(at);

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.Variant >> 2);
        var text = id.ToString("N");
        Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(text[..12], 16));
    }

    [Fact]
    public void New_ManyIdsOnSeveralThreads_AreDistinctAndOrderedByTime()
    {
        var t0 = new DateTimeOffset(2026, 11, 26, 5, 30, 0, TimeSpan.Zero);
        var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();

        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 5000; i++)
                ids.Add(AuditIds.New(t0));
        });
        var early = AuditIds.New(t0);
        var later = AuditIds.New(t0.AddMilliseconds(1));

        Assert.Equal(20000, ids.Distinct().Count());
        Assert.True(string.CompareOrdinal(early.ToString(), later.ToString()) < 0);
        Assert.True(early.CompareTo(later) < 0);
    }

    [Fact]
    public void New_IdsOfOneMillisecond_SortInTheOrderTheyWereMade_AndNeverBelowTheMillisecondsFirst()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(1);      // later than anything made so far, so the sequence starts here

        var ids = Enumerable.Range(0, 1000).Select(_ => AuditIds.New(at).ToString()).ToList();

        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(1000, ids.Distinct().Count());
        Assert.All(ids, id => Assert.True(string.CompareOrdinal(id, AuditIds.FirstAt(at).ToString()) >= 0));
        Assert.All(ids, id => Assert.True(string.CompareOrdinal(id, AuditIds.FirstAt(at.AddMilliseconds(1)).ToString()) < 0));
    }

    [Fact]
    public void New_MatchesTheRuntimesLayout()
    {
        var at = DateTimeOffset.UtcNow;
        var ours = AuditIds.New(at).ToString();
        var runtime = Guid.CreateVersion7(at).ToString();

        Assert.Equal(runtime[..13], ours[..13]);   // the same 48-bit timestamp, in the same place
        Assert.Equal('7', ours[14]);
    }
}
