namespace ZProxy.Caching.Freshness;

/// <summary>A response's freshness lifetime and why it has that value.</summary>
/// <param name="Lifetime">The lifetime, never negative.</param>
/// <param name="Source">Which rule produced it.</param>
/// <param name="Capped">True when <see cref="CachePolicyOptions.MaxTtl"/> shortened it.</param>
public readonly record struct FreshnessLifetime(TimeSpan Lifetime, FreshnessSource Source, bool Capped)
{
    /// <summary>True for s-maxage, max-age and Expires: explicit expiration times (RFC 9111 §4.2.1).</summary>
    public bool IsExplicit => Source is FreshnessSource.SharedMaxAge or FreshnessSource.MaxAge or FreshnessSource.Expires;
}
