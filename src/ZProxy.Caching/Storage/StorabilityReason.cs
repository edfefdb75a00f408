namespace ZProxy.Caching.Storage;

/// <summary>Why a response may or may not be stored (RFC 9111 §3).</summary>
public enum StorabilityReason
{
    /// <summary>Stored, fresh for a positive lifetime.</summary>
    Storable = 0,

    /// <summary>Stored, but every reuse needs revalidation: no freshness (or <c>no-cache</c>) and a validator to revalidate with.</summary>
    StorableForRevalidation,

    /// <summary>The route has caching disabled.</summary>
    RouteDisabled,

    /// <summary>Only GET responses are stored (HEAD is answered from a stored GET).</summary>
    MethodNotCacheable,

    /// <summary>1xx responses are interim, never stored (RFC 9111 §3: "the response status code is final").</summary>
    InterimStatus,

    /// <summary>206 is not stored: ZProxy does not combine partial content (RFC 9111 §3.3 makes that optional).</summary>
    PartialContent,

    /// <summary>304 updates a stored response (RFC 9111 §4.3.4) and is never stored itself.</summary>
    NotModified,

    /// <summary><c>must-understand</c> on a status code ZProxy does not implement caching rules for (RFC 9111 §5.2.2.3).</summary>
    StatusNotUnderstood,

    /// <summary>The status is not heuristically cacheable and there is neither explicit freshness nor <c>public</c> (RFC 9111 §3).</summary>
    StatusNotCacheable,

    /// <summary>The request had <c>no-store</c> (RFC 9111 §5.2.1.5).</summary>
    RequestNoStore,

    /// <summary>The response has <c>no-store</c> (RFC 9111 §5.2.2.5).</summary>
    ResponseNoStore,

    /// <summary>The response is <c>private</c> and ZProxy is a shared cache (RFC 9111 §5.2.2.7).</summary>
    ResponsePrivate,

    /// <summary>The request had Authorization and the response lacks public, s-maxage and must-revalidate (RFC 9111 §3.5).</summary>
    Authorization,

    /// <summary>The response carries Set-Cookie and the route's <see cref="SetCookieHandling"/> is DoNotStore.</summary>
    SetCookie,

    /// <summary><c>Vary: *</c>: the stored response could never be selected (RFC 9111 §4.1).</summary>
    VaryStar,

    /// <summary>The body is larger than <see cref="CachePolicyOptions.MaxObjectSize"/>.</summary>
    TooLarge,

    /// <summary>No usable freshness and no validator: a stored copy could never be reused.</summary>
    NoFreshnessNoValidators,
}
