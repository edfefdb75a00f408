using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Freshness;
using ZProxy.Caching.Headers;
using ZProxy.Caching.Keys;

namespace ZProxy.Caching.Storage;

/// <summary>
/// What the policy needs to know about a stored response, computed once when it is stored (or
/// freshened by a 304) so that the hit path parses nothing. Immutable; the glue keeps one per entry
/// next to the stored headers and body.
/// </summary>
public sealed class StoredResponseMetadata
{
    /// <summary>The stored status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>When the request that produced the response was sent (RFC 9111 §4.2.3 request_time).</summary>
    public required DateTimeOffset RequestTime { get; init; }

    /// <summary>When the response was received (RFC 9111 §4.2.3 response_time).</summary>
    public required DateTimeOffset ResponseTime { get; init; }

    /// <summary>corrected_initial_age (RFC 9111 §4.2.3).</summary>
    public required TimeSpan CorrectedInitialAge { get; init; }

    /// <summary>The freshness lifetime and its source.</summary>
    public required FreshnessLifetime Freshness { get; init; }

    /// <summary>The response's effective cache directives.</summary>
    public required CacheControlDirectives Directives { get; init; }

    /// <summary>The Vary selection of this variant.</summary>
    public required VarySpec Vary { get; init; }

    /// <summary>The secondary key of the request that produced the response (null only for Vary: *).</summary>
    public required string? SecondaryKey { get; init; }

    /// <summary>The ETag field value as received, or null.</summary>
    public string? ETag { get; init; }

    /// <summary>The Last-Modified field value as received, or null (sent back verbatim in If-Modified-Since).</summary>
    public string? LastModifiedValue { get; init; }

    /// <summary>Last-Modified parsed, or null when missing or invalid.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>Date parsed, or null when missing or invalid.</summary>
    public DateTimeOffset? Date { get; init; }

    /// <summary>True after a soft purge: the entry is treated as stale, but grace and stale-if-error still apply.</summary>
    public bool SoftPurged { get; init; }

    /// <summary>True when the stored response has a validator to revalidate with (RFC 9111 §4.3.1).</summary>
    public bool HasValidator => ETag is not null || LastModified is not null;

    /// <summary>The effective lifetime: 0 after a soft purge.</summary>
    public TimeSpan EffectiveLifetime => SoftPurged ? TimeSpan.Zero : Freshness.Lifetime;

    /// <summary>
    /// Builds the metadata of a response that <see cref="StorabilityEvaluator"/> allowed to be stored,
    /// or of the merged headers after a 304 (<see cref="Validation.HeaderFreshener"/>), with the times of
    /// the exchange that produced them.
    /// </summary>
    public static StoredResponseMetadata Create(
        IDictionary<string, StringValues> requestHeaders,
        int statusCode,
        IDictionary<string, StringValues> responseHeaders,
        DateTimeOffset requestTime,
        DateTimeOffset responseTime,
        CachePolicyOptions options)
    {
        var directives = CacheControlParser.ParseResponse(responseHeaders, options.TargetedCacheControlFields);
        var vary = VarySpec.FromResponse(responseHeaders);
        DateTimeOffset? date = responseHeaders.TryGetValue(CacheHeaderNames.Date, out var d) && HttpDate.TryParse(d, responseTime, out var parsedDate) ? parsedDate : null;
        string? lastModifiedValue = responseHeaders.TryGetValue(CacheHeaderNames.LastModified, out var lm) && lm.Count > 0 ? lm[0] : null;
        DateTimeOffset? lastModified = lastModifiedValue is not null && HttpDate.TryParse(lm, responseTime, out var parsedLm) ? parsedLm : null;
        string? etag = responseHeaders.TryGetValue(CacheHeaderNames.ETag, out var e) && e.Count > 0 && EntityTag.TryParse(e[0], out _, out _) ? e[0] : null;

        return new StoredResponseMetadata
        {
            StatusCode = statusCode,
            RequestTime = requestTime,
            ResponseTime = responseTime,
            CorrectedInitialAge = AgeCalculator.CorrectedInitialAge(requestTime, responseTime, responseHeaders),
            Freshness = FreshnessCalculator.Compute(statusCode, directives, responseHeaders, responseTime, options),
            Directives = directives,
            Vary = vary,
            SecondaryKey = VaryKey.Compute(vary, requestHeaders),
            ETag = etag,
            LastModifiedValue = lastModified is null ? null : lastModifiedValue,
            LastModified = lastModified,
            Date = date,
        };
    }

    /// <summary>current_age at <paramref name="now"/> (RFC 9111 §4.2.3).</summary>
    public TimeSpan CurrentAge(DateTimeOffset now) => AgeCalculator.CurrentAge(CorrectedInitialAge, ResponseTime, now);

    /// <summary>Remaining freshness at <paramref name="now"/>: lifetime minus age, negative once stale (the RFC 9211 ttl).</summary>
    public TimeSpan TimeToLive(DateTimeOffset now) => EffectiveLifetime - CurrentAge(now);

    /// <summary>RFC 9111 §4.2: response_is_fresh = (freshness_lifetime &gt; current_age).</summary>
    public bool IsFresh(DateTimeOffset now) => EffectiveLifetime > CurrentAge(now);

    /// <summary>A copy marked stale (soft purge).</summary>
    public StoredResponseMetadata MarkStale() => new()
    {
        StatusCode = StatusCode,
        RequestTime = RequestTime,
        ResponseTime = ResponseTime,
        CorrectedInitialAge = CorrectedInitialAge,
        Freshness = Freshness,
        Directives = Directives,
        Vary = Vary,
        SecondaryKey = SecondaryKey,
        ETag = ETag,
        LastModifiedValue = LastModifiedValue,
        LastModified = LastModified,
        Date = Date,
        SoftPurged = true,
    };
}
