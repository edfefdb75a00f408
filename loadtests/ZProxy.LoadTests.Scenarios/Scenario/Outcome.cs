namespace ZProxy.LoadTests.Scenarios.Scenario;

/// <summary>How the proxy answered, from its Cache-Status header (RFC 9211).</summary>
internal enum Outcome
{
    /// <summary><c>hit</c>: served from the cache.</summary>
    Hit,

    /// <summary><c>fwd=miss</c> (or uri-miss, vary-miss, request, bypass): fetched from the origin.</summary>
    Miss,

    /// <summary><c>fwd=stale</c>: a stored response was revalidated with the origin.</summary>
    Revalidated,

    /// <summary>No Cache-Status from this cache: a proxy other than ZProxy, or an error response.</summary>
    Unknown,

    /// <summary>A purge through the admin API.</summary>
    Purged,

    /// <summary>The request failed: transport error, bad status, or a body that did not match.</summary>
    Error,
}
