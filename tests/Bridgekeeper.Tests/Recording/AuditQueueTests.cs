using Bridgekeeper.Recording;
using Bridgekeeper.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Bridgekeeper.Tests.Recording;

public sealed class AuditQueueTests
{
    private static readonly DateTimeOffset At = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeLogger<AuditQueue> _logger = new();

    private AuditQueue Queue(int capacity = 100, long capacityBytes = 1 << 20, bool structuredLogging = false) =>
        new(capacity, capacityBytes, structuredLogging, _logger);

    private static PromptRecorded Prompt(int length) => new(Guid.CreateVersion7(At), At, new string('p', length));

    private static List<AuditRecord> Drain(AuditQueue queue) => DrainQueued(queue).ConvertAll(q => q.Record);

    private static List<QueuedRecord> DrainQueued(AuditQueue queue)
    {
        var records = new List<QueuedRecord>();
        while (queue.Reader.TryRead(out var record))
            records.Add(record);
        return records;
    }

    [Fact]
    public void TryAdmit_OneRecordUnderCapacity_Admits_AtCapacity_Refuses()
    {
        var queue = Queue(capacity: 3);
        queue.Record(Prompt(1));
        queue.Record(Prompt(1));
        var underCapacity = queue.TryAdmit();

        queue.Record(Prompt(1));
        var atCapacity = queue.TryAdmit();

        Assert.Equal((true, false), (underCapacity, atCapacity));
        Assert.Equal((1, 1L, 3), (queue.InFlight, queue.Refused, queue.Depth));
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal("Audit queue is full (3 records, " + 3 * AuditQueue.SizeOf(Prompt(1)) + " bytes waiting); refusing new interceptions until it drains", warning.Message);
    }

    [Fact]
    public void TryAdmit_BytesOneUnderTheBudget_Admits_AtTheBudget_Refuses_WhateverTheRecordCount()
    {
        var size = AuditQueue.SizeOf(Prompt(1000));
        var justUnder = Queue(capacity: 1000, capacityBytes: size + 1);
        var atBudget = Queue(capacity: 1000, capacityBytes: size);

        justUnder.Record(Prompt(1000));
        atBudget.Record(Prompt(1000));

        Assert.Equal((true, false), (justUnder.TryAdmit(), atBudget.TryAdmit()));
        Assert.Equal((size, 1L), (atBudget.DepthBytes, atBudget.Refused));
    }

    [Fact]
    public void Record_AdmittedInterceptionPastCapacity_StillGetsEveryRecordIn_InOrder()
    {
        var queue = Queue(capacity: 2);
        Assert.True(queue.TryAdmit());
        AuditRecord[] records = [.. Enumerable.Range(1, 5).Select(n => Prompt(n))];

        foreach (var record in records)
            queue.Record(record);

        Assert.Equal(5, queue.Depth);
        Assert.False(queue.TryAdmit());
        Assert.Equal(records, Drain(queue));
    }

    [Fact]
    public void Depth_ReadByTheWriter_StaysUntilCommitted()
    {
        var queue = Queue(capacity: 2);
        queue.Record(Prompt(10));
        queue.Record(Prompt(20));

        var batch = DrainQueued(queue);
        var whileWriting = (queue.Depth, queue.DepthBytes, queue.TryAdmit());
        queue.Committed(batch);

        Assert.Equal((2, AuditQueue.SizeOf(Prompt(10)) + AuditQueue.SizeOf(Prompt(20)), false), whileWriting);
        Assert.Equal((0, 0L), (queue.Depth, queue.DepthBytes));
        Assert.True(queue.TryAdmit());
    }

    [Fact]
    public void Committed_PartOfTheQueue_ReleasesExactlyThoseRecordsAndBytes()
    {
        var queue = Queue();
        queue.Record(Prompt(10));
        queue.Record(Prompt(500));
        queue.Record(Prompt(7));

        var written = DrainQueued(queue);

        queue.Committed(written[..2]);

        Assert.Equal((1, AuditQueue.SizeOf(Prompt(7))), (queue.Depth, queue.DepthBytes));
    }

    [Fact]
    public void Release_CountsInFlightDown()
    {
        var queue = Queue();
        Assert.True(queue.TryAdmit());
        Assert.True(queue.TryAdmit());

        queue.Release();

        Assert.Equal(1, queue.InFlight);
    }

    [Fact]
    public void Record_AfterComplete_IsNotCounted_AndLoggedAsAnError()
    {
        var queue = Queue();
        var id = Guid.CreateVersion7(At);
        queue.Record(Prompt(3));
        queue.Complete();

        queue.Record(new InterceptionEnded(id, At, InterceptionStatus.Completed, null));

        Assert.Equal((1, AuditQueue.SizeOf(Prompt(3))), (queue.Depth, queue.DepthBytes));
        var error = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Error);
        Assert.Equal($"Audit record InterceptionEnded of interception {id} arrived after the queue closed", error.Message);
        Assert.Single(Drain(queue));
        Assert.True(queue.Reader.Completion.IsCompleted);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 2)]
    public void Record_StructuredLogging_OneInformationLinePerRecord_OnlyWhenOn(bool structuredLogging, int lines)
    {
        var queue = Queue(structuredLogging: structuredLogging);

        queue.Record(Prompt(3));
        queue.Record(new InterceptionEnded(Guid.CreateVersion7(At), At, InterceptionStatus.Completed, null));

        Assert.Equal(lines, _logger.Collector.GetSnapshot().Count(r => r is { Level: LogLevel.Information, Message: "interception log" }));
    }

    [Theory]
    [InlineData("started", 128 + 2 * (6 + 6 + 5 + 5 + 4 + 0 + 2))]   // 128 for the object, two bytes per UTF-16 unit of each string
    [InlineData("ended-failed", 128 + 2 * 4)]
    [InlineData("ended", 128)]
    [InlineData("tokens", 128 + 2 * (6 + 7))]
    [InlineData("prompt", 128 + 2 * 5)]
    [InlineData("tool", 128 + 2 * (9 + 6 + 2 + 11 + 2))]
    [InlineData("thought", 128 + 2 * (8 + 9))]
    public void SizeOf_IsTheObjectPlusTheUtf16OfItsStrings(string kind, long expected)
    {
        AuditRecord record = kind switch
        {
            "started" => new InterceptionStarted(Guid.Empty, At, Guid.Empty, "openai", "openai", "gpt-5", "Codex", "ua/1", null, true, "{}"),
            "ended-failed" => new InterceptionEnded(Guid.Empty, At, InterceptionStatus.Failed, "boom"),
            "ended" => new InterceptionEnded(Guid.Empty, At, InterceptionStatus.Completed, null),
            "tokens" => new TokenUsageRecorded(Guid.Empty, At, "resp_1", 1, 2, 3, 4, 5, "{\"a\":1}"),
            "prompt" => new PromptRecorded(Guid.Empty, At, "héllo"),
            "tool" => new ToolUsageRecorded(Guid.Empty, At, "bmcp_echo", "call_1", "{}", true, "http://mcp/", "ok", null),
            "thought" => new ThoughtRecorded(Guid.Empty, At, "thinking", "reasoning"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        Assert.Equal(expected, AuditQueue.SizeOf(record));
    }
}
