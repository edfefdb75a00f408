namespace ZProxy.Caching.Validation;

/// <summary>Handling a validation response (RFC 9111 §4.3.3).</summary>
public static class RevalidationEvaluator
{
    /// <summary>
    /// 304 freshens; 5xx may fall back to the stale response; anything else is a new response that
    /// replaces the stored one ("a full response ... the cache ... use it to satisfy the request and
    /// MAY replace the stored response").
    /// </summary>
    public static RevalidationAction Classify(int statusCode) => statusCode switch
    {
        304 => RevalidationAction.Freshen,
        >= 500 and <= 599 => RevalidationAction.ServeStaleOrForward,
        _ => RevalidationAction.Replace,
    };
}
