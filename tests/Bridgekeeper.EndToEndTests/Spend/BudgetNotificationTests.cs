using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Tests.Tools;

namespace Bridgekeeper.EndToEndTests.Spend;

/// <summary>
/// At 85 % and 100 % of a budget the gateway logs one record and posts one signed webhook per threshold and period,
/// to a real HTTP listener here: the payload names the budget, and the signature checks with the shared secret.
/// </summary>
public sealed class BudgetNotificationTests : GatewayTest
{
    private const string Secret = "whsec-test-0123456789";
    private readonly HttpListener _receiver;
    private readonly Uri _url;
    private readonly ConcurrentQueue<(string Signature, byte[] Body)> _received = new();

    public BudgetNotificationTests()
    {
        var port = TestMcpServer.FreePort();
        _url = new Uri($"http://127.0.0.1:{port}/hooks/budget/");
        _receiver = new HttpListener();
        _receiver.Prefixes.Add(_url.AbsoluteUri);
        _receiver.Start();
        _ = ReceiveAsync();
    }

    private protected override GatewaySettings Configure(GatewaySettings settings) =>
        settings with { BudgetWebhookUrl = _url, BudgetWebhookSecret = Secret };

    [Fact]
    public async Task CrossingEightyFiveAndOneHundredPercent_LogsAndPostsOneSignedWebhookEach()
    {
        var ct = TestContext.Current.CancellationToken;
        var body = SpendRequests.Body("notify");
        var cost = SpendRequests.Cost(body);
        var ann = await Gateway.CreateKeyAsync("ann");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        using (var created = await admin.PostAsJsonAsync("/api/v1/budgets", new { user = "ann", usd = 3.2m * cost, period = "day" }, ct))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var client = Gateway.CreateClient(ann, asXApiKey: true);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages", body, SpendRequests.Usage(body)), ct);
            statuses.Add(response.StatusCode);
        }
        await Eventually.HoldsAsync(() => _received.Count >= 2, "two webhook calls");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        var calls = _received.ToList();
        Assert.Equal(2, calls.Count);
        var payloads = calls.Select(c => JsonDocument.Parse(c.Body).RootElement).ToList();
        Assert.Equal([85, 100], payloads.Select(p => p.GetProperty("threshold").GetInt32()));
        Assert.All(payloads, p => Assert.Equal(("budget.threshold", "user", "user 'ann'", "day", 3.2m * cost),
            (p.GetProperty("type").GetString(), p.GetProperty("scope").GetString(), p.GetProperty("subject").GetString(),
                p.GetProperty("period").GetString(), p.GetProperty("limit_usd").GetDecimal())));
        Assert.Equal([3 * cost, 4 * cost], payloads.Select(p => p.GetProperty("spent_usd").GetDecimal()));
        foreach (var (signature, payload) in calls)
        {
            var parts = signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            byte[] signed = [.. Encoding.UTF8.GetBytes(parts["t"] + "."), .. payload];
            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), signed);
            Assert.Equal(Convert.ToHexStringLower(expected), parts["v1"]);
            Assert.InRange(long.Parse(parts["t"], System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60,
                DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        }
        Assert.Single(Gateway.Logs.Lines, l => l.Contains("reached 85% of its day budget", StringComparison.Ordinal));
        Assert.Single(Gateway.Logs.Lines, l => l.Contains("reached 100% of its day budget", StringComparison.Ordinal));
        Assert.DoesNotContain(Gateway.Logs.Lines, l => l.Contains(Secret, StringComparison.Ordinal));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _receiver.Close();
    }

    private async Task ReceiveAsync()
    {
        while (_receiver.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _receiver.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var copy = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(copy);
            _received.Enqueue((context.Request.Headers["X-Bridgekeeper-Signature"] ?? "", copy.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}
