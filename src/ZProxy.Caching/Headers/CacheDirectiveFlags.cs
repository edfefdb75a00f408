namespace ZProxy.Caching.Headers;

/// <summary>The argument-less cache directives (RFC 9111 §5.2, RFC 8246, RFC 5861) found in a field.</summary>
[Flags]
public enum CacheDirectiveFlags
{
    /// <summary>No flag directive.</summary>
    None = 0,

    /// <summary><c>no-cache</c>, unqualified (RFC 9111 §5.2.1.4 / §5.2.2.4).</summary>
    NoCache = 1 << 0,

    /// <summary><c>no-store</c> (RFC 9111 §5.2.1.5 / §5.2.2.5).</summary>
    NoStore = 1 << 1,

    /// <summary><c>no-transform</c> (RFC 9111 §5.2.1.6 / §5.2.2.6).</summary>
    NoTransform = 1 << 2,

    /// <summary><c>only-if-cached</c> request directive (RFC 9111 §5.2.1.7).</summary>
    OnlyIfCached = 1 << 3,

    /// <summary><c>must-revalidate</c> (RFC 9111 §5.2.2.2).</summary>
    MustRevalidate = 1 << 4,

    /// <summary><c>proxy-revalidate</c> (RFC 9111 §5.2.2.8).</summary>
    ProxyRevalidate = 1 << 5,

    /// <summary><c>must-understand</c> (RFC 9111 §5.2.2.3).</summary>
    MustUnderstand = 1 << 6,

    /// <summary><c>public</c> (RFC 9111 §5.2.2.9).</summary>
    Public = 1 << 7,

    /// <summary><c>private</c>, unqualified (RFC 9111 §5.2.2.7).</summary>
    Private = 1 << 8,

    /// <summary><c>immutable</c> (RFC 8246).</summary>
    Immutable = 1 << 9,

    /// <summary><c>max-stale</c> without a value: any staleness is acceptable (RFC 9111 §5.2.1.2).</summary>
    MaxStaleAny = 1 << 10,

    /// <summary>
    /// A freshness directive had an invalid or conflicting value. RFC 9111 §4.2.1 encourages caches
    /// to consider such a response stale, which the parser does by setting the value to 0.
    /// </summary>
    InvalidFreshness = 1 << 11,
}
