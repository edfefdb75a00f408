namespace ZProxy.Caching.Invalidation;

/// <summary>Why a response did or did not invalidate stored responses (RFC 9111 §4.4).</summary>
public enum InvalidationReason
{
    /// <summary>An unsafe method answered 2xx/3xx: the listed URIs are invalidated.</summary>
    Invalidated = 0,

    /// <summary>GET, HEAD, OPTIONS and TRACE never invalidate.</summary>
    SafeMethod,

    /// <summary>The status was not 2xx or 3xx ("non-error status code" is required).</summary>
    ErrorStatus,

    /// <summary>The target URI was not absolute; nothing can be resolved against it.</summary>
    TargetNotAbsolute,
}
