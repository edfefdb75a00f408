namespace ZProxy.Caching.Headers;

/// <summary>Which field the effective cache directives were read from.</summary>
public enum CacheControlSource
{
    /// <summary>No cache-control field was present.</summary>
    None = 0,

    /// <summary>The <c>Cache-Control</c> field (RFC 9111 §5.2).</summary>
    CacheControl,

    /// <summary>
    /// A targeted field (RFC 9213) such as <c>ZProxy-Cache-Control</c> or <c>CDN-Cache-Control</c>.
    /// <c>Cache-Control</c> and <c>Expires</c> are then ignored (RFC 9213 §2.2).
    /// </summary>
    Targeted,

    /// <summary><c>Pragma: no-cache</c> in a request without <c>Cache-Control</c> (RFC 9111 §5.4).</summary>
    Pragma,
}
