namespace ZProxy.Caching.Reuse;

/// <summary>Why a stored response got its <see cref="ReuseDecision"/>.</summary>
public enum ReuseReason
{
    /// <summary>Fresh and acceptable to the request (RFC 9111 §4.2).</summary>
    Fresh = 0,

    /// <summary>Stale, within the request's <c>max-stale</c> (RFC 9111 §5.2.1.2).</summary>
    MaxStale,

    /// <summary>Stale, within the response's <c>stale-while-revalidate</c> (RFC 5861 §3).</summary>
    StaleWhileRevalidate,

    /// <summary>Stale, and nothing allows serving it (RFC 9111 §4.2.4).</summary>
    Stale,

    /// <summary>Stale with <c>must-revalidate</c>, <c>proxy-revalidate</c> or <c>s-maxage</c>: never served stale (RFC 9111 §4.2.4, §5.2.2.2, §5.2.2.8, §5.2.2.10).</summary>
    StaleMustRevalidate,

    /// <summary>The stored response has <c>no-cache</c> (RFC 9111 §5.2.2.4).</summary>
    ResponseNoCache,

    /// <summary>The request has <c>no-cache</c> or <c>Pragma: no-cache</c> (RFC 9111 §5.2.1.4, §5.4).</summary>
    RequestNoCache,

    /// <summary>Older than the request's <c>max-age</c> (RFC 9111 §5.2.1.1).</summary>
    RequestMaxAge,

    /// <summary>Not fresh for the request's <c>min-fresh</c> (RFC 9111 §5.2.1.3).</summary>
    RequestMinFresh,

    /// <summary>Soft-purged: treated as stale.</summary>
    SoftPurged,

    /// <summary><c>only-if-cached</c> with no usable response.</summary>
    OnlyIfCached,
}
