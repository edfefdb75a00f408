namespace ZProxy.Caching.Status;

/// <summary>The <c>fwd</c> parameter of Cache-Status (RFC 9211 §2.2).</summary>
public enum CacheStatusForward
{
    /// <summary>Not forwarded (a hit): no <c>fwd</c>.</summary>
    None = 0,

    /// <summary><c>bypass</c>: configured not to use the cache.</summary>
    Bypass,

    /// <summary><c>method</c>: the request method's semantics require forwarding.</summary>
    Method,

    /// <summary><c>uri-miss</c>: nothing stored under the URI.</summary>
    UriMiss,

    /// <summary><c>vary-miss</c>: stored responses exist but none matched Vary.</summary>
    VaryMiss,

    /// <summary><c>miss</c>: no usable stored response, reason unspecified.</summary>
    Miss,

    /// <summary><c>request</c>: the request asked to forward (no-cache, max-age=0, ...).</summary>
    Request,

    /// <summary><c>stale</c>: a stored response was stale and needed revalidation.</summary>
    Stale,

    /// <summary><c>partial</c>: only part of the response was stored.</summary>
    Partial,
}
