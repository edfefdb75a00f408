namespace ZProxy.Caching.Reuse;

/// <summary>The reuse decision for a stored response, with what the glue needs to act on it.</summary>
public readonly record struct ReuseResult
{
    /// <summary>What to do.</summary>
    public ReuseDecision Decision { get; init; }

    /// <summary>Why.</summary>
    public ReuseReason Reason { get; init; }

    /// <summary>current_age (RFC 9111 §4.2.3); send <see cref="Freshness.AgeCalculator.FormatAge"/> of it as Age on a hit.</summary>
    public TimeSpan Age { get; init; }

    /// <summary>Freshness lifetime minus age; negative when stale (Cache-Status <c>ttl</c>, RFC 9211 §2.5).</summary>
    public TimeSpan TimeToLive { get; init; }

    /// <summary>For <see cref="ReuseDecision.Revalidate"/> / background refresh: the stored ETag to send as If-None-Match, or null.</summary>
    public string? IfNoneMatch { get; init; }

    /// <summary>For <see cref="ReuseDecision.Revalidate"/> / background refresh: the stored Last-Modified to send as If-Modified-Since, or null.</summary>
    public string? IfModifiedSince { get; init; }

    /// <summary>True when the decision serves the stored response without contacting the origin first.</summary>
    public bool ServesFromCache => Decision is ReuseDecision.Serve or ReuseDecision.ServeStaleAndRevalidate;
}
