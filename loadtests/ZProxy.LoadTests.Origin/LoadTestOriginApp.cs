using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using ZProxy.DemoOrigin;

namespace ZProxy.LoadTests.Origin;

/// <summary>
/// The load-test origin's resources:
/// <list type="bullet">
/// <item><c>/bench/{1k,16k,128k,1m}.bin</c>: fixed assets for the comparative benchmark.</item>
/// <item><c>/obj/{id}/{size}?ttl=N</c>: object <c>id</c> of <c>size</c> bytes, fresh for N seconds (default 3600).</item>
/// <item><c>/checksum/{id}/{size}</c>: the object's SHA-256 in hex, so a client can check it agrees.</item>
/// <item><c>/_origin/stats</c>: what was served (JSON).</item>
/// </list>
/// Every cacheable response carries <c>Cache-Control: public, max-age=N</c>, a strong ETag and
/// Last-Modified, and answers <c>If-None-Match</c> with 304 (ASP.NET Core's Results.Bytes does RFC 9110 §13 evaluation).
/// </summary>
public static class LoadTestOriginApp
{
    /// <summary>Creates (not starts) the origin; <paramref name="args"/> is standard configuration such as <c>--urls</c>.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddRouting();
        builder.Services.AddSingleton<OriginCounters>();
        var app = builder.Build();
        Map(app, app.Services.GetRequiredService<OriginCounters>());
        return app;
    }

    private static void Map(WebApplication app, OriginCounters counters)
    {
        foreach (var (name, length) in LoadTestContent.BenchAssets)
        {
            var bytes = LoadTestContent.BenchAsset(length);
            var etag = new EntityTagHeaderValue(DemoContent.StrongETag(bytes));
            app.MapMethods($"/bench/{name}.bin", ["GET", "HEAD"], (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "public, max-age=3600";
                counters.Record(StatusCodes.Status200OK, bytes.Length);
                return Results.Bytes(bytes, "application/octet-stream", lastModified: DemoContent.LastModified, entityTag: etag);
            });
        }

        app.MapMethods("/obj/{id:long}/{size:int}", ["GET", "HEAD"], (HttpContext context, long id, int size, int? ttl) =>
        {
            if (size is < 0 or > LoadTestContent.MaxObjectSize)
            {
                return Results.BadRequest($"size must be 0..{LoadTestContent.MaxObjectSize}");
            }

            context.Response.Headers.CacheControl = $"public, max-age={Math.Max(0, ttl ?? 3600)}";
            var etag = new EntityTagHeaderValue(LoadTestContent.ObjectETag(id, size));
            var ifNoneMatch = context.Request.Headers.IfNoneMatch.ToString();
            if (ifNoneMatch.Length > 0 && (ifNoneMatch == "*" || ifNoneMatch.Contains(etag.Tag.Value!, StringComparison.Ordinal)))
            {
                // Answered before the body is generated: a revalidation costs the origin nothing.
                context.Response.Headers.ETag = etag.ToString();
                context.Response.Headers.LastModified = DemoContent.LastModified.ToString("R");
                counters.Record(StatusCodes.Status304NotModified, 0);
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            var body = new byte[size];
            LoadTestContent.FillObject(body, id);
            counters.Record(StatusCodes.Status200OK, size);
            return Results.Bytes(body, "application/octet-stream", lastModified: DemoContent.LastModified, entityTag: etag);
        });

        app.MapGet("/checksum/{id:long}/{size:int}", (long id, int size) =>
            size is < 0 or > LoadTestContent.MaxObjectSize
                ? Results.BadRequest()
                : Results.Text(Convert.ToHexStringLower(LoadTestContent.ObjectSha256(id, size)) + "\n"));

        app.MapGet("/_origin/stats", () => Results.Json(new
        {
            requests = counters.Requests,
            notModified = counters.NotModified,
            bodyBytes = counters.BodyBytes,
        }));

        app.MapGet("/healthz", () => Results.Text("ok\n"));
    }
}
