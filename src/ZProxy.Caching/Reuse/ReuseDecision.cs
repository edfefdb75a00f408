namespace ZProxy.Caching.Reuse;

/// <summary>What to do with a stored response that matched the request's key and Vary (RFC 9111 §4).</summary>
public enum ReuseDecision
{
    /// <summary>Serve it as a hit.</summary>
    Serve = 0,

    /// <summary>Serve it now (stale) and refresh it once in the background (RFC 5861 §3).</summary>
    ServeStaleAndRevalidate,

    /// <summary>Send a conditional request with <see cref="ReuseResult.IfNoneMatch"/> / <see cref="ReuseResult.IfModifiedSince"/>; a 304 freshens the entry.</summary>
    Revalidate,

    /// <summary>It cannot be used and has no validator: forward unconditionally.</summary>
    Fetch,

    /// <summary><c>only-if-cached</c> and nothing usable: answer 504 (RFC 9111 §5.2.1.7).</summary>
    GatewayTimeout,
}
