using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Freshness;
using ZProxy.Caching.Headers;
using ZProxy.Caching.Keys;

namespace ZProxy.Caching.Storage;

/// <summary>Whether a shared cache may store a response (RFC 9111 §3), with the reason.</summary>
public static class StorabilityEvaluator
{
    private static readonly string[] SetCookieOnly = [CacheHeaderNames.SetCookie];

    /// <summary>
    /// Status codes whose caching requirements ZProxy implements, for <c>must-understand</c>
    /// (RFC 9111 §5.2.2.3): the final codes RFC 9110 defines, except 206 and 304 which ZProxy does
    /// not store.
    /// </summary>
    public static bool IsUnderstoodStatus(int statusCode) => statusCode is 200 or 201 or 202 or 203 or 204 or 205
        or 300 or 301 or 302 or 303 or 307 or 308
        or (>= 400 and <= 417) or 421 or 422 or 426
        or (>= 500 and <= 505);

    /// <summary>
    /// Decides whether the response to a request may be stored, checking in order: route enabled,
    /// method, status, no-store, private, Authorization, Vary, Set-Cookie, size, then whether the
    /// response has freshness or validators that make a stored copy reusable.
    /// </summary>
    /// <param name="method">The request method.</param>
    /// <param name="requestHeaders">The request's fields.</param>
    /// <param name="statusCode">The response status.</param>
    /// <param name="responseHeaders">The response's fields.</param>
    /// <param name="responseTime">When the response was received (for Date-less responses).</param>
    /// <param name="options">The route policy.</param>
    /// <param name="contentLength">The body length when known; null reads Content-Length. Unknown lengths must be checked as the body streams with <see cref="ExceedsMaxObjectSize"/>.</param>
    public static StorabilityResult Evaluate(
        string method,
        IDictionary<string, StringValues> requestHeaders,
        int statusCode,
        IDictionary<string, StringValues> responseHeaders,
        DateTimeOffset responseTime,
        CachePolicyOptions options,
        long? contentLength = null)
    {
        if (!options.Enabled)
        {
            return No(StorabilityReason.RouteDisabled);
        }

        // RFC 9111 §3: "the request method is understood by the cache". ZProxy stores GET only.
        if (!HttpMethodRules.IsGet(method))
        {
            return No(StorabilityReason.MethodNotCacheable);
        }

        // RFC 9111 §3: "the response status code is final" (no 1xx).
        if (statusCode < 200)
        {
            return No(StorabilityReason.InterimStatus);
        }

        // RFC 9111 §3: 206 and 304 only if the cache understands them; §3.3 lets a cache skip partial storage.
        if (statusCode == 206)
        {
            return No(StorabilityReason.PartialContent);
        }

        if (statusCode == 304)
        {
            return No(StorabilityReason.NotModified);
        }

        var request = CacheControlParser.ParseRequest(requestHeaders);
        var response = CacheControlParser.ParseResponse(responseHeaders, options.TargetedCacheControlFields);

        // RFC 9111 §5.2.1.5: the request's no-store forbids storing the response to it.
        if (request.NoStore)
        {
            return No(StorabilityReason.RequestNoStore, response);
        }

        // RFC 9111 §5.2.2.3: must-understand limits caching to caches that understand the status;
        // such a cache "SHOULD ignore the no-store directive".
        var understood = IsUnderstoodStatus(statusCode);
        if (response.MustUnderstand && !understood)
        {
            return No(StorabilityReason.StatusNotUnderstood, response);
        }

        if (response.NoStore && !(response.MustUnderstand && understood))
        {
            return No(StorabilityReason.ResponseNoStore, response);
        }

        // RFC 9111 §3: a shared cache must not store a private response; the qualified form
        // (private="field") lets it store the remainder (§5.2.2.7), handled via OmittedFields.
        if (response.Private)
        {
            return No(StorabilityReason.ResponsePrivate, response);
        }

        // RFC 9111 §3.5: responses to requests with Authorization only with public, s-maxage or must-revalidate.
        if (requestHeaders.TryGetValue(CacheHeaderNames.Authorization, out var auth) && auth.Count > 0
            && !response.Public && response.SharedMaxAge is null && !response.MustRevalidate)
        {
            return No(StorabilityReason.Authorization, response);
        }

        // RFC 9111 §4.1: "A stored response with a Vary header field value containing a member "*"
        // always fails to match", so storing it would only waste memory.
        if (VarySpec.FromResponse(responseHeaders).IsStar)
        {
            return No(StorabilityReason.VaryStar, response);
        }

        // RFC 9111 §7.3: Set-Cookie does not prevent caching, but replaying one user's cookie to others is
        // a leak, so the default refuses, unless the origin itself asked for the cookie to be withheld
        // (no-cache="Set-Cookie" or private="Set-Cookie"), in which case it is left out of the stored copy.
        var hasSetCookie = responseHeaders.TryGetValue(CacheHeaderNames.SetCookie, out var cookies) && cookies.Count > 0;
        if (hasSetCookie && options.SetCookie == SetCookieHandling.DoNotStore
            && !Lists(response.NoCacheFields, CacheHeaderNames.SetCookie) && !Lists(response.PrivateFields, CacheHeaderNames.SetCookie))
        {
            return No(StorabilityReason.SetCookie, response);
        }

        if (contentLength is null && responseHeaders.TryGetValue(CacheHeaderNames.ContentLength, out var cl)
            && cl.Count == 1 && long.TryParse(cl[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsedLength))
        {
            contentLength = parsedLength;
        }

        if (contentLength is { } length && ExceedsMaxObjectSize(length, options))
        {
            return No(StorabilityReason.TooLarge, response);
        }

        var freshness = FreshnessCalculator.Compute(statusCode, response, responseHeaders, responseTime, options);

        // RFC 9111 §3: the response must contain explicit freshness (Expires, max-age, s-maxage),
        // public, or have a heuristically cacheable status.
        if (!freshness.IsExplicit && !response.Public && !FreshnessCalculator.IsHeuristicallyCacheable(statusCode))
        {
            return No(StorabilityReason.StatusNotCacheable, response, freshness);
        }

        var omitted = CollectOmittedFields(response, responseHeaders, hasSetCookie && options.SetCookie == SetCookieHandling.StoreWithoutSetCookie);
        var reusableWithoutValidation = freshness.Lifetime > TimeSpan.Zero && !response.NoCache;
        if (reusableWithoutValidation)
        {
            return new StorabilityResult { Store = true, Reason = StorabilityReason.Storable, Directives = response, Freshness = freshness, OmittedFields = omitted };
        }

        // No freshness (or no-cache): only worth storing when it can be revalidated (RFC 9111 §4.3.1).
        if (HasValidator(responseHeaders))
        {
            return new StorabilityResult { Store = true, Reason = StorabilityReason.StorableForRevalidation, Directives = response, Freshness = freshness, OmittedFields = omitted };
        }

        return No(StorabilityReason.NoFreshnessNoValidators, response, freshness);
    }

    /// <summary>The MaxObjectSize hook: true when <paramref name="bodyBytes"/> (so far, or in total) is more than the route allows.</summary>
    public static bool ExceedsMaxObjectSize(long bodyBytes, CachePolicyOptions options) => options.MaxObjectSize is { } max && bodyBytes > max;

    /// <summary>True when the response has an ETag or a valid Last-Modified (RFC 9110 §8.8).</summary>
    public static bool HasValidator(IDictionary<string, StringValues> responseHeaders) =>
        (responseHeaders.TryGetValue(CacheHeaderNames.ETag, out var etag) && etag.Count > 0 && EntityTag.TryParse(etag[0], out _, out _))
        || (responseHeaders.TryGetValue(CacheHeaderNames.LastModified, out var lm) && HttpDate.TryParse(lm, DateTimeOffset.UnixEpoch, out _));

    private static IReadOnlyList<string> CollectOmittedFields(in CacheControlDirectives response, IDictionary<string, StringValues> responseHeaders, bool stripSetCookie)
    {
        var hasConnection = responseHeaders.ContainsKey(CacheHeaderNames.Connection);
        if (response.PrivateFields is null && response.NoCacheFields is null && !hasConnection)
        {
            return stripSetCookie ? SetCookieOnly : [];
        }

        var list = new List<string>();
        if (stripSetCookie)
        {
            list.Add(CacheHeaderNames.SetCookie);
        }

        // RFC 9111 §5.2.2.7: "a shared cache MUST NOT store the specified field names".
        if (response.PrivateFields is { } privateFields)
        {
            list.AddRange(privateFields);
        }

        // RFC 9111 §5.2.2.4: the response may be reused if the listed fields are excluded from it;
        // ZProxy excludes them from the stored copy, so every reuse satisfies that.
        if (response.NoCacheFields is { } noCacheFields)
        {
            list.AddRange(noCacheFields);
        }

        StoredFields.AddConnectionListed(responseHeaders, list);
        return list;
    }

    private static bool Lists(string[]? fields, string name) => fields is not null && Array.Exists(fields, f => f.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static StorabilityResult No(StorabilityReason reason, CacheControlDirectives directives = default, FreshnessLifetime freshness = default) =>
        new() { Store = false, Reason = reason, Directives = directives, Freshness = freshness, OmittedFields = [] };
}
