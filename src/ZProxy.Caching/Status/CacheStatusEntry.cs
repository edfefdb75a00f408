namespace ZProxy.Caching.Status;

/// <summary>The parameters of ZProxy's member of the Cache-Status field (RFC 9211 §2).</summary>
public readonly record struct CacheStatusEntry
{
    /// <summary><c>hit</c>: served from cache without contacting the origin (§2.1).</summary>
    public bool Hit { get; init; }

    /// <summary><c>fwd</c> (§2.2).</summary>
    public CacheStatusForward Forward { get; init; }

    /// <summary><c>fwd-status</c>: the status the next hop returned, e.g. 304 (§2.3).</summary>
    public int? ForwardStatus { get; init; }

    /// <summary><c>ttl</c>: remaining freshness, negative when stale, in whole seconds (§2.4).</summary>
    public TimeSpan? TimeToLive { get; init; }

    /// <summary><c>stored</c>: the forwarded response was stored (§2.5).</summary>
    public bool Stored { get; init; }

    /// <summary><c>collapsed</c>: the request was coalesced with another (§2.6).</summary>
    public bool Collapsed { get; init; }

    /// <summary><c>key</c>: the cache key, for debugging only (§2.7). Do not send keys that leak private data.</summary>
    public string? Key { get; init; }

    /// <summary><c>detail</c>: implementation-specific detail, sent as a token when possible (§2.8).</summary>
    public string? Detail { get; init; }
}
