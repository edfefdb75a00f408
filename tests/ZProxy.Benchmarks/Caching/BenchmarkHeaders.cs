using Microsoft.Extensions.Primitives;

namespace ZProxy.Benchmarks.Caching;

/// <summary>Realistic request and response fields for the caching benchmarks (a browser GET of a static asset).</summary>
internal static class BenchmarkHeaders
{
    public static readonly DateTimeOffset ResponseTime = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    public static Dictionary<string, StringValues> Request() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Host"] = "www.example.com",
        ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
        ["Accept"] = "*/*",
        ["Accept-Encoding"] = "gzip, deflate, br, zstd",
        ["Accept-Language"] = "en-GB,en;q=0.5",
        ["Referer"] = "https://www.example.com/index.html",
    };

    /// <summary>A revalidating client: the same GET with If-None-Match (what a browser reload sends).</summary>
    public static Dictionary<string, StringValues> ConditionalRequest()
    {
        var headers = Request();
        headers["If-None-Match"] = "\"5f2b-61a8c0\"";
        headers["Cache-Control"] = "max-age=0";
        return headers;
    }

    public static Dictionary<string, StringValues> Response() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Date"] = "Mon, 23 Nov 2026 08:00:00 GMT",
        ["Content-Type"] = "application/javascript",
        ["Content-Length"] = "24363",
        ["Cache-Control"] = "public, max-age=3600, stale-while-revalidate=60",
        ["ETag"] = "\"5f2b-61a8c0\"",
        ["Last-Modified"] = "Thu, 01 Jan 2026 00:00:00 GMT",
        ["Vary"] = "Accept-Encoding",
        ["Server"] = "origin",
    };
}
