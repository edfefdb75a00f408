namespace ZProxy.Caching.Reuse;

/// <summary>Why a stored response may or may not be served when the origin failed.</summary>
public enum StaleOnErrorReason
{
    /// <summary>Still fresh: no staleness involved.</summary>
    Fresh = 0,

    /// <summary>Within the response's or the request's <c>stale-if-error</c> (RFC 5861 §4).</summary>
    StaleIfError,

    /// <summary>Within the route's <see cref="CachePolicyOptions.Grace"/> (RFC 9111 §4.2.4 allows stale responses when disconnected).</summary>
    Grace,

    /// <summary>Stale beyond every window.</summary>
    TooStale,

    /// <summary>must-revalidate / proxy-revalidate / s-maxage forbid it; RFC 9111 §5.2.2.2 asks for a 504 instead.</summary>
    MustRevalidate,

    /// <summary>The response or the request has <c>no-cache</c>: only a successful validation allows reuse.</summary>
    NoCache,
}
