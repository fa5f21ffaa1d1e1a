// Bare YARP forwarder for the benchmark: every request goes to the upstream given as argv[1], as is.
// Usage: YarpForwarder http://127.0.0.1:LISTEN http://127.0.0.1:UPSTREAM
using System.Net;
using Yarp.ReverseProxy.Forwarder;

var listen = args.Length > 0 ? args[0] : "http://127.0.0.1:5000";
var upstream = args.Length > 1 ? args[1] : "http://127.0.0.1:8090";

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls(listen);
builder.Services.AddHttpForwarder();
var app = builder.Build();

var client = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    EnableMultipleHttp2Connections = true,
    ActivityHeadersPropagator = null,
    ConnectTimeout = TimeSpan.FromSeconds(15),
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
    MaxConnectionsPerServer = int.MaxValue,
});
var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(5) };
app.MapForwarder("/{**catch-all}", upstream, config, HttpTransformer.Default, client);
app.Run();
