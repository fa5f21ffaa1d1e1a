using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Hosting;

/// <summary>Console logging as <c>human</c> (one line per entry) or <c>json</c>. Keys never reach a log line.</summary>
internal static class GatewayLogging
{
    public static void Configure(ILoggingBuilder logging, GatewaySettings settings)
    {
        logging.ClearProviders();
        if (settings.LogFormat == "json")
            logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        else
            logging.AddSimpleConsole(o => { o.SingleLine = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; });
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Information);
        logging.AddFilter("Yarp", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
    }
}
