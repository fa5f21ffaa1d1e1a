using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Bridgekeeper.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Bridgekeeper.Spend;

/// <summary>
/// Budget notifications (issue 16, item 5): when a settlement takes an account to 85 % or 100 % of its budget, one
/// structured log record and, with <c>budget_webhook_url</c> set, one webhook call, per threshold and period. The
/// account's notice row decides which replica sends (<see cref="BudgetLedger.ClaimNoticeAsync"/>), so each is sent
/// once. Webhooks go out in the background, retried with backoff, never on a request's path. The body is signed:
/// <c>X-Bridgekeeper-Signature: t=UNIX,v1=HEX</c>, the HMAC-SHA256 under <c>budget_webhook_secret</c> of
/// <c>UNIX.BODY</c>, so a receiver can check both origin and freshness.
/// </summary>
internal sealed partial class BudgetNotifier(BudgetLedger ledger, SpendOptions options, TimeProvider time, ILogger<BudgetNotifier> logger)
    : BackgroundService
{
    public const string SignatureHeader = "X-Bridgekeeper-Signature";
    public static readonly int[] Thresholds = [85, 100];

    /// <summary>How many claimed notices this replica remembers, to skip asking the database again.</summary>
    private const int MaxRemembered = 10_000;

    private readonly Channel<byte[]> _webhooks = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly ConcurrentDictionary<(Guid, string, DateTimeOffset, int), bool> _noticed = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) };

    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3, Delay = TimeSpan.FromSeconds(1), BackoffType = DelayBackoffType.Exponential })
        .Build();

    /// <summary>Notices the thresholds the settled accounts (<paramref name="spent"/>, in the ticket's order) have reached.</summary>
    public async Task AfterSettleAsync(BudgetTicket ticket, IReadOnlyList<long> spent)
    {
        for (var i = 0; i < ticket.Holds.Count; i++)
        {
            var hold = ticket.Holds[i];
            foreach (var threshold in Thresholds)
            {
                if ((decimal)spent[i] * 100 < (decimal)hold.Budget.LimitNanos * threshold
                    || _noticed.ContainsKey((hold.Budget.Id, hold.Member, hold.PeriodStart, threshold))
                    || !await ledger.ClaimNoticeAsync(hold, threshold, CancellationToken.None))
                    continue;
                if (_noticed.Count >= MaxRemembered)
                    _noticed.Clear();      // bounded; forgetting only costs a claim that the database refuses again
                _noticed[(hold.Budget.Id, hold.Member, hold.PeriodStart, threshold)] = true;
                Notice(hold, ticket.Subjects[i], threshold, spent[i]);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var body in _webhooks.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await _retry.ExecuteAsync(async token => await SendAsync(body, token), stoppingToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                LogWebhookFailed(options.WebhookUrl!.GetLeftPart(UriPartial.Path), e.Message);
            }
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    /// <summary>The signature header's value for <paramref name="body"/> at <paramref name="unixSeconds"/>.</summary>
    public static string Sign(string secret, long unixSeconds, byte[] body)
    {
        var signed = Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".").Concat(body).ToArray();
        return $"t={unixSeconds.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }

    private void Notice(BudgetHold hold, string subject, int threshold, long spent)
    {
        var budget = hold.Budget;
        var resets = BudgetPeriods.End(budget.Period, hold.PeriodStart);
        LogThreshold(budget.Id, budget.Scope, subject, threshold, Nanos.Format(spent), Nanos.Format(budget.LimitNanos), budget.Period, resets);
        if (options.WebhookUrl is null)
            return;
        _webhooks.Writer.TryWrite(Json(writer =>
        {
            writer.WriteString("type", "budget.threshold");
            writer.WriteNumber("threshold", threshold);
            writer.WriteString("budget_id", budget.Id);
            writer.WriteString("scope", budget.Scope);
            writer.WriteString("subject", subject);
            writer.WriteString("period", budget.Period);
            writer.WriteString("period_start", hold.PeriodStart.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("resets_at", resets.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteNumber("limit_usd", Nanos.ToUsd(budget.LimitNanos));
            writer.WriteNumber("spent_usd", Nanos.ToUsd(spent));
        }));
    }

    private async ValueTask SendAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.WebhookUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(options.WebhookSecret!, time.GetUtcNow().ToUnixTimeSeconds(), body));
        using var response = await _http.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode >= 500 || response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
            throw new HttpRequestException($"the webhook answered {(int)response.StatusCode}");
        if (!response.IsSuccessStatusCode)
            LogWebhookFailed(options.WebhookUrl!.GetLeftPart(UriPartial.Path), $"the webhook answered {(int)response.StatusCode}; not retried");
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Budget {BudgetId} ({Scope}, {Subject}) reached {Threshold}% of its {Period} budget: ${SpentUsd} of ${LimitUsd}; it resets at {ResetsAt}")]
    private partial void LogThreshold(Guid budgetId, string scope, string subject, int threshold, string spentUsd, string limitUsd, string period,
        DateTimeOffset resetsAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The budget webhook {Url} failed: {Reason}")]
    private partial void LogWebhookFailed(string url, string reason);
}
