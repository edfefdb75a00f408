using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace ZProxy.DemoOrigin;

/// <summary>
/// Builds the bundled demo origin: a handful of resources whose caching headers cover the common
/// cases a shared cache meets (long-lived assets, short-lived HTML and JSON, heuristic freshness,
/// private responses and a slow endpoint).
/// </summary>
public static class DemoOriginApp
{
    /// <summary>Asset sizes served under <c>/assets/{name}.bin</c>.</summary>
    public static IReadOnlyDictionary<string, int> AssetSizes { get; } = new Dictionary<string, int>
    {
        ["1k"] = 1024,
        ["64k"] = 64 * 1024,
        ["1m"] = 1024 * 1024,
    };

    /// <summary>Creates (but does not start) the demo origin listening on <paramref name="url"/>.</summary>
    /// <param name="url">Where to listen, such as <c>http://127.0.0.1:8081</c>; port 0 picks a free port.</param>
    /// <param name="configure">Lets the caller adjust the builder (logging, lifetime) before the app is built.</param>
    public static WebApplication Build(string url, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(DemoOriginApp).Assembly.GetName().Name });
        // The demo origin never reads appsettings.json or ASPNETCORE_URLS: it must not pick up ZProxy's own URLs.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls(url);
        builder.Services.AddRouting();
        configure?.Invoke(builder);

        var app = builder.Build();
        MapResources(app);
        return app;
    }

    private static void MapResources(WebApplication app)
    {
        const string Html = """
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><title>ZProxy demo origin</title></head>
            <body>
            <h1>ZProxy demo origin</h1>
            <p>This page is served by the demo origin behind ZProxy. Try
            <a href="/api/items.json">/api/items.json</a>, <a href="/assets/64k.bin">/assets/64k.bin</a>,
            <a href="/news">/news</a>, <a href="/account">/account</a> and <a href="/slow">/slow</a>.</p>
            </body>
            </html>
            """;
        var htmlBytes = Encoding.UTF8.GetBytes(Html);
        var htmlETag = DemoContent.StrongETag(htmlBytes);

        app.MapGet("/", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=60";
            return Results.Bytes(htmlBytes, "text/html; charset=utf-8", lastModified: DemoContent.LastModified,
                entityTag: new EntityTagHeaderValue(htmlETag));
        });

        app.MapGet("/api/items.json", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=30";
            return Results.Json(new[]
            {
                new { id = 1, name = "widget", price = 9.5 },
                new { id = 2, name = "gadget", price = 24.0 },
                new { id = 3, name = "gizmo", price = 3.75 },
            });
        });

        foreach (var (name, size) in AssetSizes)
        {
            var bytes = DemoContent.Create(size);
            var etag = new EntityTagHeaderValue(DemoContent.StrongETag(bytes));
            app.MapMethods($"/assets/{name}.bin", ["GET", "HEAD"], (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "public, max-age=3600";
                // Results.Bytes evaluates If-None-Match / If-Modified-Since and Range like a static file server.
                return Results.Bytes(bytes, "application/octet-stream", lastModified: DemoContent.LastModified,
                    entityTag: etag, enableRangeProcessing: true);
            });
        }

        // No Cache-Control and no Expires: only Last-Modified, so a cache may apply heuristic
        // freshness (RFC 9111 §4.2.2).
        var newsLastModified = DemoContent.LastModified;
        app.MapGet("/news", (HttpContext context) =>
        {
            context.Response.Headers.LastModified = newsLastModified.ToString("R");
            return Results.Text("<!doctype html><title>News</title><p>Nothing new since January.</p>", "text/html; charset=utf-8");
        });

        app.MapGet("/account", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "private, no-store";
            return Results.Json(new { user = "demo", balance = 42 });
        });

        app.MapGet("/slow", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2), context.RequestAborted);
            context.Response.Headers.CacheControl = "public, max-age=10";
            return Results.Text("slow response\n", "text/plain; charset=utf-8");
        });
    }
}
