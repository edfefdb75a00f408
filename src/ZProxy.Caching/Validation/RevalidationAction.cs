namespace ZProxy.Caching.Validation;

/// <summary>What to do with the origin's answer to a revalidation request (RFC 9111 §4.3.3).</summary>
public enum RevalidationAction
{
    /// <summary>304: freshen the stored response (<see cref="HeaderFreshener"/>) and serve it.</summary>
    Freshen = 0,

    /// <summary>A full response: use it, and replace the stored one if it is storable.</summary>
    Replace,

    /// <summary>5xx: "the cache can either forward this response ... or act as if the server failed to respond", i.e. serve stale when <see cref="Reuse.ReuseEvaluator.CanServeStaleOnError"/> allows.</summary>
    ServeStaleOrForward,
}
