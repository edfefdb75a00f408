using ZProxy.Caching.Headers;
using ZProxy.Caching.Keys;

namespace ZProxy.Caching;

/// <summary>
/// The cache policy of one route (YARP route metadata or the <c>ZProxy</c> configuration section).
/// Every setting defaults to RFC 9111 behaviour for a shared cache; nothing here invents freshness
/// unless explicitly configured.
/// </summary>
public sealed class CachePolicyOptions
{
    /// <summary>Shared default instance. Do not mutate.</summary>
    public static CachePolicyOptions Default { get; } = new();

    /// <summary>Whether the route is cached at all.</summary>
    /// <remarks>Default: true. When false, requests pass through and nothing is stored (Cache-Status <c>fwd=bypass</c>).</remarks>
    public bool Enabled { get; set; } = true;

    /// <summary>The name ZProxy uses in <c>Cache-Status</c> (RFC 9211 §2).</summary>
    /// <remarks>Default: <c>ZProxy</c>. Must be an RFC 8941 token; an invalid name is sent as a string.</remarks>
    public string CacheName { get; set; } = "ZProxy";

    /// <summary>
    /// Freshness assigned to a response that has no explicit freshness (no s-maxage, max-age or
    /// Expires) when the RFC allows heuristic freshness for it (RFC 9111 §4.2.2: the status is
    /// heuristically cacheable, or the response is marked <c>public</c>) and the Last-Modified
    /// heuristic is off or not computable.
    /// </summary>
    /// <remarks>
    /// Default: null (no default TTL). It never overrides explicit freshness, never applies to
    /// statuses such as 302 without <c>public</c>, and is capped by <see cref="MaxTtl"/>.
    /// </remarks>
    public TimeSpan? DefaultTtl { get; set; }

    /// <summary>Upper bound on any freshness lifetime, explicit or heuristic.</summary>
    /// <remarks>Default: null (no cap). A cap only shortens freshness, so it is always RFC-compliant.</remarks>
    public TimeSpan? MaxTtl { get; set; }

    /// <summary>Whether the Last-Modified heuristic (RFC 9111 §4.2.2) may be used.</summary>
    /// <remarks>Default: true (the RFC encourages it).</remarks>
    public bool HeuristicEnabled { get; set; } = true;

    /// <summary>Fraction of <c>Date - Last-Modified</c> used as heuristic lifetime.</summary>
    /// <remarks>Default: 0.1, the typical setting RFC 9111 §4.2.2 mentions. Valid range (0, 1].</remarks>
    public double HeuristicFraction { get; set; } = 0.1;

    /// <summary>Cap on a heuristic lifetime.</summary>
    /// <remarks>Default: 1 day. (RFC 7234 required a warning above 24 hours; RFC 9111 dropped Warning but the cap remains a prudent bound.)</remarks>
    public TimeSpan HeuristicMaxLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long after expiry a stale response may still be served when the origin cannot be reached,
    /// times out or answers 5xx, even without <c>stale-if-error</c>.
    /// </summary>
    /// <remarks>
    /// Default: zero. Serving stale while disconnected is allowed by RFC 9111 §4.2.4, but never for a
    /// response with <c>no-cache</c>, <c>must-revalidate</c>, <c>proxy-revalidate</c> or <c>s-maxage</c>.
    /// Grace is not used for stale-while-revalidate style serving: that needs the origin's permission.
    /// </remarks>
    public TimeSpan Grace { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Whether the origin's own <c>stale-while-revalidate</c> / <c>stale-if-error</c> are honoured on
    /// a response that also has <c>s-maxage</c>.
    /// </summary>
    /// <remarks>
    /// Default: true. RFC 9111 §5.2.2.10 says s-maxage implies proxy-revalidate, which forbids stale
    /// serving (§4.2.4); but <c>s-maxage=60, stale-while-revalidate=30</c> is how origins ask CDNs for
    /// exactly that, and the explicit RFC 5861 grant is the more specific instruction. Explicit
    /// <c>must-revalidate</c>, <c>proxy-revalidate</c> and <c>no-cache</c> always win. Set false for the
    /// strict reading.
    /// </remarks>
    public bool StaleDirectivesOverrideSharedMaxAge { get; set; } = true;

    /// <summary>What to do with responses that carry Set-Cookie.</summary>
    /// <remarks>Default: <see cref="SetCookieHandling.DoNotStore"/>; see that type for the reasoning.</remarks>
    public SetCookieHandling SetCookie { get; set; } = SetCookieHandling.DoNotStore;

    /// <summary>Largest body, in bytes, that is stored; larger responses are passed through.</summary>
    /// <remarks>Default: null (only the store's own limit applies).</remarks>
    public long? MaxObjectSize { get; set; }

    /// <summary>Cache-key normalisation.</summary>
    /// <remarks>Default: scheme, host and path as received, query as received.</remarks>
    public CacheKeyOptions Key { get; set; } = new();

    /// <summary>Response field whose space- or comma-separated values tag an entry for purge-by-tag.</summary>
    /// <remarks>Default: <c>Surrogate-Key</c>; <c>Cache-Tag</c> is the other common choice. Null or empty disables tags.</remarks>
    public string? TagHeaderName { get; set; } = "Surrogate-Key";

    /// <summary>Targeted cache-control fields obeyed in precedence order (RFC 9213 §2.2).</summary>
    /// <remarks>Default: <c>ZProxy-Cache-Control</c>, then <c>CDN-Cache-Control</c>. The glue should strip <c>ZProxy-Cache-Control</c> from responses it sends downstream; <c>CDN-Cache-Control</c> is meant for every CDN hop and is forwarded. Note that Microsoft.Extensions.Configuration binding appends configured items to a non-empty default list; assign the property in code to replace it.</remarks>
    public IReadOnlyList<string> TargetedCacheControlFields { get; set; } = CacheControlParser.DefaultTargetedFields;

    /// <summary>Checks the settings; returns the problems found (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (HeuristicFraction is <= 0 or > 1 || double.IsNaN(HeuristicFraction))
        {
            errors.Add($"{nameof(HeuristicFraction)} must be in (0, 1].");
        }

        if (HeuristicMaxLifetime < TimeSpan.Zero)
        {
            errors.Add($"{nameof(HeuristicMaxLifetime)} must not be negative.");
        }

        if (DefaultTtl < TimeSpan.Zero)
        {
            errors.Add($"{nameof(DefaultTtl)} must not be negative.");
        }

        if (MaxTtl < TimeSpan.Zero)
        {
            errors.Add($"{nameof(MaxTtl)} must not be negative.");
        }

        if (Grace < TimeSpan.Zero)
        {
            errors.Add($"{nameof(Grace)} must not be negative.");
        }

        if (MaxObjectSize < 0)
        {
            errors.Add($"{nameof(MaxObjectSize)} must not be negative.");
        }

        if (string.IsNullOrWhiteSpace(CacheName))
        {
            errors.Add($"{nameof(CacheName)} must not be empty.");
        }

        if (!Enum.IsDefined(SetCookie))
        {
            errors.Add($"{nameof(SetCookie)} has an unknown value.");
        }

        if (Key is null)
        {
            errors.Add($"{nameof(Key)} must not be null.");
        }
        else if (!Enum.IsDefined(Key.QueryMode))
        {
            errors.Add($"{nameof(Key)}.{nameof(Key.QueryMode)} has an unknown value.");
        }

        return errors;
    }
}
