namespace ZProxy.Caching.Headers;

/// <summary>
/// The parsed cache directives of one message. A value type: parsing allocates nothing unless a
/// qualified <c>no-cache</c> or <c>private</c> lists field names. <c>default</c> means "no directives".
/// Numeric values are delta-seconds, already clamped to 2^31-1 (RFC 9111 §1.2.2).
/// </summary>
public readonly record struct CacheControlDirectives
{
    /// <summary>The argument-less directives present.</summary>
    public CacheDirectiveFlags Flags { get; init; }

    /// <summary>Where the directives came from.</summary>
    public CacheControlSource Source { get; init; }

    /// <summary>The name of the field read, e.g. <c>CDN-Cache-Control</c>; null when <see cref="Source"/> is None.</summary>
    public string? FieldName { get; init; }

    /// <summary><c>max-age</c> in seconds (RFC 9111 §5.2.1.1 / §5.2.2.1).</summary>
    public int? MaxAge { get; init; }

    /// <summary><c>s-maxage</c> in seconds (RFC 9111 §5.2.2.10).</summary>
    public int? SharedMaxAge { get; init; }

    /// <summary><c>max-stale=N</c> in seconds (RFC 9111 §5.2.1.2); see also <see cref="CacheDirectiveFlags.MaxStaleAny"/>.</summary>
    public int? MaxStale { get; init; }

    /// <summary><c>min-fresh</c> in seconds (RFC 9111 §5.2.1.3).</summary>
    public int? MinFresh { get; init; }

    /// <summary><c>stale-while-revalidate</c> in seconds (RFC 5861 §3).</summary>
    public int? StaleWhileRevalidate { get; init; }

    /// <summary><c>stale-if-error</c> in seconds (RFC 5861 §4).</summary>
    public int? StaleIfError { get; init; }

    /// <summary>Field names of a qualified <c>no-cache="..."</c> (RFC 9111 §5.2.2.4), or null.</summary>
    public string[]? NoCacheFields { get; init; }

    /// <summary>Field names of a qualified <c>private="..."</c> (RFC 9111 §5.2.2.7), or null.</summary>
    public string[]? PrivateFields { get; init; }

    /// <summary>True when any cache directive field was present.</summary>
    public bool IsPresent => Source != CacheControlSource.None;

    public bool NoCache => (Flags & CacheDirectiveFlags.NoCache) != 0;

    public bool NoStore => (Flags & CacheDirectiveFlags.NoStore) != 0;

    public bool Public => (Flags & CacheDirectiveFlags.Public) != 0;

    public bool Private => (Flags & CacheDirectiveFlags.Private) != 0;

    public bool MustRevalidate => (Flags & CacheDirectiveFlags.MustRevalidate) != 0;

    public bool ProxyRevalidate => (Flags & CacheDirectiveFlags.ProxyRevalidate) != 0;

    public bool MustUnderstand => (Flags & CacheDirectiveFlags.MustUnderstand) != 0;

    public bool OnlyIfCached => (Flags & CacheDirectiveFlags.OnlyIfCached) != 0;

    public bool MaxStaleAny => (Flags & CacheDirectiveFlags.MaxStaleAny) != 0;

    public bool HasFlag(CacheDirectiveFlags flag) => (Flags & flag) == flag;
}
