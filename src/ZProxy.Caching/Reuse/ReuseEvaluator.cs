using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;
using ZProxy.Caching.Storage;

namespace ZProxy.Caching.Reuse;

/// <summary>Whether a stored response can be reused for a request (RFC 9111 §4, §4.2, §4.2.4, §5.2; RFC 5861).</summary>
public static class ReuseEvaluator
{
    /// <summary>
    /// Decides how to use <paramref name="stored"/> for a GET/HEAD request whose primary key and Vary
    /// already matched. Order: the stored response's no-cache, the request's no-cache, max-age and
    /// min-fresh, then freshness, then the stale-serving permissions (max-stale, stale-while-revalidate),
    /// then revalidation or a plain fetch; only-if-cached turns anything that needs the origin into 504.
    /// The request's <c>no-store</c> does not prevent reuse (RFC 9111 §5.2.1.5); it only forbids storing.
    /// </summary>
    public static ReuseResult Evaluate(IDictionary<string, StringValues> requestHeaders, StoredResponseMetadata stored, DateTimeOffset now, CachePolicyOptions options)
    {
        var request = CacheControlParser.ParseRequest(requestHeaders);
        var (decision, reason) = Decide(request, stored, now, options, out var age, out var ttl);
        if (request.OnlyIfCached && decision is ReuseDecision.Revalidate or ReuseDecision.Fetch)
        {
            // RFC 9111 §5.2.1.7: respond with a stored response consistent with the request, or 504.
            decision = ReuseDecision.GatewayTimeout;
            reason = ReuseReason.OnlyIfCached;
        }

        var validators = decision is ReuseDecision.Revalidate or ReuseDecision.ServeStaleAndRevalidate;
        return new ReuseResult
        {
            Decision = decision,
            Reason = reason,
            Age = age,
            TimeToLive = ttl,
            IfNoneMatch = validators ? stored.ETag : null,
            IfModifiedSince = validators ? stored.LastModifiedValue : null,
        };
    }

    /// <summary>
    /// Whether <paramref name="stored"/> may be served because the origin could not be reached,
    /// timed out or answered 5xx (RFC 5861 §4 stale-if-error; RFC 9111 §4.2.4 "disconnected" plus the
    /// route's grace). Never for no-cache, must-revalidate, proxy-revalidate or s-maxage responses
    /// (§4.2.4); the glue then answers 504 (§5.2.2.2) or relays the origin's error.
    /// </summary>
    public static (bool Allowed, StaleOnErrorReason Reason) CanServeStaleOnError(IDictionary<string, StringValues> requestHeaders, StoredResponseMetadata stored, DateTimeOffset now, CachePolicyOptions options)
    {
        var request = CacheControlParser.ParseRequest(requestHeaders);
        var response = stored.Directives;
        if (response.NoCache || request.NoCache)
        {
            return (false, StaleOnErrorReason.NoCache);
        }

        var age = stored.CurrentAge(now);
        var lifetime = stored.EffectiveLifetime;
        if (lifetime > age)
        {
            return (true, StaleOnErrorReason.Fresh);
        }

        var staleness = age - lifetime;
        if (ForbidsStaleByDirective(response, options))
        {
            return (false, StaleOnErrorReason.MustRevalidate);
        }

        // RFC 5861 §4: stale-if-error may appear in the response or in the request.
        var window = Math.Max(response.StaleIfError ?? -1, request.StaleIfError ?? -1);
        if (window >= 0 && staleness <= TimeSpan.FromSeconds(window))
        {
            return (true, StaleOnErrorReason.StaleIfError);
        }

        if (!ForbidsStale(response) && options.Grace > TimeSpan.Zero && staleness <= options.Grace)
        {
            return (true, StaleOnErrorReason.Grace);
        }

        return (false, ForbidsStale(response) ? StaleOnErrorReason.MustRevalidate : StaleOnErrorReason.TooStale);
    }

    private static (ReuseDecision, ReuseReason) Decide(in CacheControlDirectives request, StoredResponseMetadata stored, DateTimeOffset now, CachePolicyOptions options, out TimeSpan age, out TimeSpan ttl)
    {
        var response = stored.Directives;
        age = stored.CurrentAge(now);
        var lifetime = stored.EffectiveLifetime;
        ttl = lifetime - age;

        // RFC 9111 §5.2.2.4: no-cache responses are never reused without successful validation.
        if (response.NoCache)
        {
            return Validate(stored, ReuseReason.ResponseNoCache);
        }

        // RFC 9111 §5.2.1.4 (and Pragma, §5.4): the client wants validation.
        if (request.NoCache)
        {
            return Validate(stored, ReuseReason.RequestNoCache);
        }

        // RFC 9111 §5.2.1.1: "the client prefers a response whose age is less than or equal to the
        // specified number of seconds".
        if (request.MaxAge is { } maxAge && age > TimeSpan.FromSeconds(maxAge))
        {
            return Validate(stored, ReuseReason.RequestMaxAge);
        }

        var fresh = ttl > TimeSpan.Zero;

        // RFC 9111 §5.2.1.3: the response must stay fresh for at least min-fresh seconds.
        if (request.MinFresh is { } minFresh && (!fresh || ttl < TimeSpan.FromSeconds(minFresh)))
        {
            return Validate(stored, ReuseReason.RequestMinFresh);
        }

        if (fresh)
        {
            return (ReuseDecision.Serve, ReuseReason.Fresh);
        }

        var staleness = -ttl;

        // RFC 9111 §4.2.4: never serve stale when must-revalidate, proxy-revalidate or s-maxage forbid it;
        // max-stale from the client does not override them (§5.2.2.2).
        if (ForbidsStale(response))
        {
            if (!ForbidsStaleByDirective(response, options) && WithinStaleWhileRevalidate(response, staleness))
            {
                return (ReuseDecision.ServeStaleAndRevalidate, ReuseReason.StaleWhileRevalidate);
            }

            return Validate(stored, ReuseReason.StaleMustRevalidate);
        }

        // RFC 9111 §5.2.1.2: the client accepts a stale response, of any staleness without a value.
        if (request.MaxStaleAny || (request.MaxStale is { } maxStale && staleness <= TimeSpan.FromSeconds(maxStale)))
        {
            return (ReuseDecision.Serve, ReuseReason.MaxStale);
        }

        // RFC 5861 §3: serve stale and revalidate in the background within the window.
        if (WithinStaleWhileRevalidate(response, staleness))
        {
            return (ReuseDecision.ServeStaleAndRevalidate, ReuseReason.StaleWhileRevalidate);
        }

        return Validate(stored, stored.SoftPurged ? ReuseReason.SoftPurged : ReuseReason.Stale);
    }

    private static bool WithinStaleWhileRevalidate(in CacheControlDirectives response, TimeSpan staleness) =>
        response.StaleWhileRevalidate is { } swr && staleness <= TimeSpan.FromSeconds(swr);

    /// <summary>True when the response must not be served stale (RFC 9111 §4.2.4): must-revalidate, proxy-revalidate, or s-maxage (which implies proxy-revalidate, §5.2.2.10).</summary>
    internal static bool ForbidsStale(in CacheControlDirectives response) =>
        response.MustRevalidate || response.ProxyRevalidate || response.SharedMaxAge is not null;

    /// <summary>
    /// Whether the origin's own stale-while-revalidate / stale-if-error are overridden: always by
    /// explicit must-revalidate or proxy-revalidate; by s-maxage only when
    /// <see cref="CachePolicyOptions.StaleDirectivesOverrideSharedMaxAge"/> is false.
    /// </summary>
    internal static bool ForbidsStaleByDirective(in CacheControlDirectives response, CachePolicyOptions options) =>
        response.MustRevalidate || response.ProxyRevalidate || (response.SharedMaxAge is not null && !options.StaleDirectivesOverrideSharedMaxAge);

    private static (ReuseDecision, ReuseReason) Validate(StoredResponseMetadata stored, ReuseReason reason) =>
        (stored.HasValidator ? ReuseDecision.Revalidate : ReuseDecision.Fetch, reason);
}
