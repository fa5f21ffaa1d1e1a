using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Bridgekeeper.Dashboard;

/// <summary>
/// The web dashboard at <c>/ui</c> (SPEC §3): static pages embedded in the executable (<c>assets/</c>, so
/// <c>dotnet run</c> needs nothing else), fed only by the public REST API. Every page path answers the same shell,
/// whose script renders the page the path names; the shell and the assets hold no data, so they need no key, and
/// everything a page shows comes from <c>/api/v1</c> with the session cookie (<c>Api/BrowserSession</c>).
/// </summary>
internal static class DashboardRoutes
{
    public const string Root = "/ui";
    private const string AssetsPath = "/ui/assets";
    private static readonly ManifestEmbeddedFileProvider Files = new(typeof(DashboardRoutes).Assembly, "Dashboard/assets");
    private static readonly Lazy<byte[]> Shell = new(() => Read("index.html"));

    /// <summary>Serves <c>/ui/assets/…</c> from the embedded files, revalidated by ETag on every load.</summary>
    public static IApplicationBuilder UseDashboardAssets(this IApplicationBuilder app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            RequestPath = AssetsPath,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = static file => file.Context.Response.Headers.CacheControl = "no-cache",
        });

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet(Root, WriteShellAsync);
        app.MapGet($"{Root}/{{**page}}", static context => context.Request.Path.StartsWithSegments(AssetsPath)
            ? WriteMissingAssetAsync(context)
            : WriteShellAsync(context));
        return app;
    }

    private static Task WriteShellAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        return context.Response.Body.WriteAsync(Shell.Value, context.RequestAborted).AsTask();
    }

    private static Task WriteMissingAssetAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("No such dashboard file.\n", context.RequestAborted);
    }

    private static byte[] Read(string name)
    {
        using var stream = Files.GetFileInfo(name).CreateReadStream();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
