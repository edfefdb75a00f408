using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ZProxy.Caching.Keys;
using ZProxy.PageBlocks;
using ZProxy.Proxy.Caching;

namespace ZProxy.Host.Admin;

/// <summary>
/// Cache administration on the admin listener: purge a URL (all its variants), ban by prefix or
/// regular expression, purge by tag, each optionally soft (mark stale, so grace and stale-if-error
/// still apply), and store statistics. Guarded by an address allow-list and an optional token.
/// </summary>
internal static class CacheAdminEndpoints
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(200);

    public static void Map(WebApplication app, AdminOptions admin, HttpCache cache, IOptionsMonitor<CacheOptions> cacheOptions)
    {
        var group = app.MapGroup("/cache").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!AddressAllowList.Allows(admin.AllowList, http.Connection.RemoteIpAddress))
            {
                return Results.Text("403 Forbidden: this address may not administer the cache.\n", statusCode: StatusCodes.Status403Forbidden);
            }

            if (admin.Token is { Length: > 0 } token && !HasToken(http.Request, token))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Text("401 Unauthorized: a valid bearer token is required.\n", statusCode: StatusCodes.Status401Unauthorized);
            }

            return await next(context);
        });

        group.MapPost("/purge", (string? url, bool? soft) =>
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return Results.Text("400 Bad Request: give the absolute URL to purge, e.g. ?url=http://example.com/page\n", statusCode: 400);
            }

            var key = CacheKeyBuilder.Build(uri, cacheOptions.CurrentValue.Default.Key);
            var count = soft == true ? cache.SoftPurge(key) : (cache.Purge(key) ? 1 : 0);
            return Results.Json(new { purged = count, soft = soft == true });
        });

        group.MapPost("/ban", (string? prefix, string? pattern) =>
        {
            if (prefix is { Length: > 0 })
            {
                return Results.Json(new { banned = cache.BanPrefix(NormalisePrefix(prefix)) });
            }

            if (pattern is { Length: > 0 })
            {
                Regex regex;
                try
                {
                    regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, PatternTimeout);
                }
                catch (ArgumentException exception)
                {
                    return Results.Text($"400 Bad Request: invalid pattern: {exception.Message}\n", statusCode: 400);
                }

                return Results.Json(new { banned = cache.BanPattern(regex) });
            }

            return Results.Text("400 Bad Request: give ?prefix=http://host/path or ?pattern=<regular expression>\n", statusCode: 400);
        });

        group.MapPost("/tags/{tag}/purge", (string tag, bool? soft) =>
            Results.Json(new { purged = cache.PurgeTag(tag, soft == true), soft = soft == true }));

        group.MapGet("/stats", (PageBlockStore store) => Results.Json(store.GetStatistics()));
    }

    /// <summary>Turns a URL prefix into the form of a cache key prefix (scheme and host lower-cased).</summary>
    private static string NormalisePrefix(string prefix)
    {
        if (!Uri.TryCreate(prefix, UriKind.Absolute, out var uri))
        {
            return prefix;
        }

        var authorityEnd = prefix.IndexOf('/', prefix.IndexOf("//", StringComparison.Ordinal) + 2);
        var rest = authorityEnd < 0 ? string.Empty : prefix[authorityEnd..];
        var key = CacheKeyBuilder.Build(uri.Scheme, uri.IsDefaultPort ? uri.Host : uri.Authority, "/", null, new CacheKeyOptions());
        return key[..^1] + rest;
    }

    private static bool HasToken(HttpRequest request, string token)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(token));
    }
}
