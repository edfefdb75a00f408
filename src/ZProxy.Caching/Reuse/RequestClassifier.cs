using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Reuse;

/// <summary>First decision on a request: look up, bypass, or forward and invalidate.</summary>
public static class RequestClassifier
{
    /// <summary>Classifies a request by method and preconditions.</summary>
    public static (RequestDisposition Disposition, RequestReason Reason) Classify(string method, IDictionary<string, StringValues> requestHeaders, CachePolicyOptions options)
    {
        // Invalidation is required even when the route is not cached: a stale copy may exist from
        // before the route was disabled, and RFC 9111 §4.4 does not depend on configuration.
        if (!HttpMethodRules.IsSafe(method))
        {
            return (RequestDisposition.ForwardAndInvalidate, RequestReason.UnsafeMethod);
        }

        if (!options.Enabled)
        {
            return (RequestDisposition.Bypass, RequestReason.RouteDisabled);
        }

        if (!HttpMethodRules.IsGet(method) && !HttpMethodRules.IsHead(method))
        {
            return (RequestDisposition.Bypass, RequestReason.MethodNotCacheable);
        }

        // RFC 9111 §4.3.2: "The If-Match and If-Unmodified-Since conditional header fields are not
        // applicable to a cache." ZProxy does not evaluate them and lets the origin do it.
        if (Has(requestHeaders, CacheHeaderNames.IfMatch) || Has(requestHeaders, CacheHeaderNames.IfUnmodifiedSince))
        {
            return (RequestDisposition.Bypass, RequestReason.OriginPrecondition);
        }

        return (RequestDisposition.Lookup, RequestReason.CacheableMethod);
    }

    private static bool Has(IDictionary<string, StringValues> headers, string name) => headers.TryGetValue(name, out var v) && v.Count > 0;
}
