using ZProxy.PageBlocks;

namespace ZProxy.Proxy.Caching;

/// <summary>What a lookup found. Owns <see cref="Lease"/> when <see cref="Response"/> is set.</summary>
internal readonly struct CacheLookup
{
    public required CacheLookupResult Result { get; init; }

    /// <summary>
    /// The key the response would be stored under (the primary key, or a variant key) when nothing was
    /// found; null when found, so that a hit allocates no key string (the key is still in the caller's buffer).
    /// </summary>
    public string? StoreKey { get; init; }

    public BodyLease Lease { get; init; }

    public CachedResponse? Response { get; init; }

    public HitForMissMarker? HitForMiss { get; init; }
}

/// <summary>The kinds of lookup outcome, which map onto RFC 9211 <c>fwd</c> values.</summary>
internal enum CacheLookupResult
{
    /// <summary>A stored response for this URL and variant.</summary>
    Found,

    /// <summary>Nothing stored for the URL (fwd=uri-miss).</summary>
    UriMiss,

    /// <summary>The URL has variants, none for this request's headers (fwd=vary-miss).</summary>
    VaryMiss,

    /// <summary>The URL was recently found not storable (hit-for-miss).</summary>
    HitForMiss,
}
