namespace ZProxy.Caching.Reuse;

/// <summary>Why a request got its <see cref="RequestDisposition"/>.</summary>
public enum RequestReason
{
    /// <summary>A cacheable method.</summary>
    CacheableMethod = 0,

    /// <summary>Caching is disabled for the route.</summary>
    RouteDisabled,

    /// <summary>A safe method other than GET/HEAD (OPTIONS, TRACE): nothing to look up or invalidate.</summary>
    MethodNotCacheable,

    /// <summary>An unsafe or unknown method (RFC 9111 §4.4).</summary>
    UnsafeMethod,

    /// <summary>
    /// If-Match or If-Unmodified-Since: "not applicable to a cache" and likely meant for the origin
    /// (RFC 9111 §4.3.2), so the request is forwarded.
    /// </summary>
    OriginPrecondition,
}
