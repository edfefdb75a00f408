using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Freshness;

/// <summary>Freshness lifetime of a response as a shared cache computes it (RFC 9111 §4.2.1, §4.2.2).</summary>
public static class FreshnessCalculator
{
    /// <summary>
    /// True for the status codes "heuristically cacheable" by default (RFC 9110 §15.1): 200, 203,
    /// 204, 206, 300, 301, 308, 404, 405, 410, 414 and 501.
    /// </summary>
    public static bool IsHeuristicallyCacheable(int statusCode) => statusCode is 200 or 203 or 204 or 206 or 300 or 301 or 308 or 404 or 405 or 410 or 414 or 501;

    /// <summary>
    /// Computes the freshness lifetime. Order (RFC 9111 §4.2.1, shared cache): s-maxage, then
    /// max-age, then Expires - Date (Date defaults to <paramref name="responseTime"/>; an invalid
    /// Expires, e.g. "0", means already expired, RFC 9111 §5.3). Expires is ignored when a targeted
    /// field (RFC 9213 §2.2) supplied the directives. Without explicit freshness, heuristic freshness
    /// is assigned only where RFC 9111 §4.2.2 allows it (heuristically cacheable status, or public).
    /// </summary>
    public static FreshnessLifetime Compute(int statusCode, in CacheControlDirectives directives, IDictionary<string, StringValues> responseHeaders, DateTimeOffset responseTime, CachePolicyOptions options)
    {
        var result = ComputeUncapped(statusCode, directives, responseHeaders, responseTime, options);
        if (options.MaxTtl is { } max && result.Lifetime > max)
        {
            return result with { Lifetime = max, Capped = true };
        }

        return result;
    }

    private static FreshnessLifetime ComputeUncapped(int statusCode, in CacheControlDirectives directives, IDictionary<string, StringValues> responseHeaders, DateTimeOffset responseTime, CachePolicyOptions options)
    {
        // RFC 9111 §4.2.1: "If the cache is shared and the s-maxage response directive is present, use its value".
        if (directives.SharedMaxAge is { } sMaxAge)
        {
            return new FreshnessLifetime(TimeSpan.FromSeconds(sMaxAge), FreshnessSource.SharedMaxAge, false);
        }

        if (directives.MaxAge is { } maxAge)
        {
            return new FreshnessLifetime(TimeSpan.FromSeconds(maxAge), FreshnessSource.MaxAge, false);
        }

        var date = GetDate(responseHeaders, responseTime);
        if (directives.Source != CacheControlSource.Targeted && responseHeaders.TryGetValue(CacheHeaderNames.Expires, out var expiresValues) && expiresValues.Count > 0)
        {
            // RFC 9111 §5.3: an invalid date, "especially the value 0", is in the past. Differing
            // repeated Expires lines are treated the same way (RFC 9111 §4.2.1: "considered stale").
            if (!HttpDate.TryParse(expiresValues, responseTime, out var expires) || expires <= date)
            {
                return new FreshnessLifetime(TimeSpan.Zero, FreshnessSource.Expires, false);
            }

            return new FreshnessLifetime(expires - date, FreshnessSource.Expires, false);
        }

        // RFC 9111 §4.2.2: heuristics only for heuristically cacheable statuses or responses marked public.
        if (!IsHeuristicallyCacheable(statusCode) && !directives.Public)
        {
            return new FreshnessLifetime(TimeSpan.Zero, FreshnessSource.None, false);
        }

        if (options.HeuristicEnabled
            && responseHeaders.TryGetValue(CacheHeaderNames.LastModified, out var lmValues)
            && HttpDate.TryParse(lmValues, responseTime, out var lastModified)
            && lastModified <= date)
        {
            // "a typical setting of this fraction might be 10%" of the time since Last-Modified.
            var ticks = (date - lastModified).Ticks * options.HeuristicFraction;
            var lifetime = ticks >= options.HeuristicMaxLifetime.Ticks ? options.HeuristicMaxLifetime : TimeSpan.FromTicks((long)ticks);
            return new FreshnessLifetime(lifetime, FreshnessSource.Heuristic, false);
        }

        if (options.DefaultTtl is { } ttl)
        {
            return new FreshnessLifetime(ttl, FreshnessSource.DefaultTtl, false);
        }

        return new FreshnessLifetime(TimeSpan.Zero, FreshnessSource.None, false);
    }

    /// <summary>
    /// The Date of a response, or the time it was received when Date is missing or invalid
    /// (RFC 9110 §6.6.1; RFC 9111 §4.2.1).
    /// </summary>
    public static DateTimeOffset GetDate(IDictionary<string, StringValues> responseHeaders, DateTimeOffset responseTime) =>
        responseHeaders.TryGetValue(CacheHeaderNames.Date, out var values) && HttpDate.TryParse(values, responseTime, out var date) ? date : responseTime;
}
