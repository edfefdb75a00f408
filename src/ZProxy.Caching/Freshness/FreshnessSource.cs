namespace ZProxy.Caching.Freshness;

/// <summary>Where a freshness lifetime came from (RFC 9111 §4.2.1, §4.2.2).</summary>
public enum FreshnessSource
{
    /// <summary>No freshness information and none assigned: lifetime 0.</summary>
    None = 0,

    /// <summary><c>s-maxage</c> (shared caches only).</summary>
    SharedMaxAge,

    /// <summary><c>max-age</c>.</summary>
    MaxAge,

    /// <summary><c>Expires</c> minus <c>Date</c> (an invalid Expires counts, as already expired).</summary>
    Expires,

    /// <summary>A fraction of <c>Date - Last-Modified</c> (RFC 9111 §4.2.2).</summary>
    Heuristic,

    /// <summary>The route's <see cref="CachePolicyOptions.DefaultTtl"/>, applied where heuristic freshness is allowed.</summary>
    DefaultTtl,
}
