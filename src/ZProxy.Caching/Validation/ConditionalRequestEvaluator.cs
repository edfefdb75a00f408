using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;
using ZProxy.Caching.Storage;

namespace ZProxy.Caching.Validation;

/// <summary>
/// Answers a client's conditional request from a stored response (RFC 9111 §4.3.2; RFC 9110
/// §13.1.2, §13.1.3, §13.2.2). If-Match and If-Unmodified-Since are not applicable to a cache
/// (§4.3.2): <see cref="Reuse.RequestClassifier"/> forwards such requests.
/// </summary>
public static class ConditionalRequestEvaluator
{
    /// <summary>
    /// Evaluates If-None-Match, or If-Modified-Since when If-None-Match is absent (RFC 9110 §13.2.2
    /// steps 3 and 4), for GET and HEAD.
    /// </summary>
    public static (ConditionalOutcome Outcome, ConditionalReason Reason) Evaluate(string method, IDictionary<string, StringValues> requestHeaders, StoredResponseMetadata stored)
    {
        var hasInm = requestHeaders.TryGetValue(CacheHeaderNames.IfNoneMatch, out var inm) && inm.Count > 0;
        var hasIms = requestHeaders.TryGetValue(CacheHeaderNames.IfModifiedSince, out var ims) && ims.Count > 0;
        if (!hasInm && !hasIms)
        {
            return (ConditionalOutcome.SendFull, ConditionalReason.NoPreconditions);
        }

        if (!HttpMethodRules.IsGet(method) && !HttpMethodRules.IsHead(method))
        {
            return (ConditionalOutcome.SendFull, ConditionalReason.MethodNotGetOrHead);
        }

        // RFC 9110 §13.2.1: preconditions are ignored when the response without them would not be 2xx
        // (a stored 404 with an ETag is sent as 404, never as 304).
        if (stored.StatusCode is < 200 or > 299)
        {
            return (ConditionalOutcome.SendFull, ConditionalReason.StoredStatusNotSuccessful);
        }

        if (hasInm)
        {
            // RFC 9110 §13.1.2: weak comparison; "*" is true for any current representation.
            // For GET/HEAD a false condition (a match) means 304 (§13.2.2 step 3).
            return EntityTag.AnyWeakMatch(inm, stored.ETag)
                ? (ConditionalOutcome.NotModified, ConditionalReason.IfNoneMatchMatched)
                : (ConditionalOutcome.SendFull, ConditionalReason.IfNoneMatchNotMatched);
        }

        // RFC 9110 §13.1.3: ignore when not a valid HTTP-date or more than one member.
        if (!HttpDate.TryParse(ims, stored.ResponseTime, out var since))
        {
            return (ConditionalOutcome.SendFull, ConditionalReason.IfModifiedSinceInvalid);
        }

        // RFC 9111 §4.3.2: without Last-Modified, use the stored Date, else the time it was received.
        var modified = stored.LastModified ?? stored.Date ?? stored.ResponseTime;
        return modified <= since
            ? (ConditionalOutcome.NotModified, ConditionalReason.NotModifiedSince)
            : (ConditionalOutcome.SendFull, ConditionalReason.ModifiedSince);
    }
}
