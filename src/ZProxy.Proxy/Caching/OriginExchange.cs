using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using ZProxy.Caching;
using ZProxy.Caching.Headers;
using ZProxy.Caching.Reuse;
using ZProxy.Caching.Status;
using ZProxy.Caching.Storage;
using ZProxy.Caching.Tags;
using ZProxy.Caching.Validation;
using ZProxy.PageBlocks;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// One trip to the origin on behalf of the cache (a fill, a revalidation, or both): decides, when the
/// origin's response starts, whether to store it, freshen the stored entry (304) or fall back to
/// stale content (5xx), and afterwards commits or drops what was copied into the store.
/// </summary>
internal sealed class OriginExchange
{
    private readonly HttpContext _context;
    private readonly HttpCache _cache;
    private readonly CachePolicyOptions _policy;
    private readonly CacheOptions _options;
    private readonly string _primaryKey;
    private readonly CacheStatusForward _forward;
    private readonly Fill? _fill;
    private readonly CachedResponse? _stored;
    private readonly string? _storedKey;
    private readonly ISealedMemoryOwner? _storedBody;
    private readonly DateTimeOffset _requestTime;
    private BodyWriter? _bodyWriter;
    private CachedResponse? _toStore;
    private long? _expectedLength;

    public OriginExchange(
        HttpContext context,
        HttpCache cache,
        CachePolicyOptions policy,
        CacheOptions options,
        string primaryKey,
        CacheStatusForward forward,
        Fill? fill,
        CachedResponse? stored = null,
        string? storedKey = null,
        ISealedMemoryOwner? storedBody = null)
    {
        _context = context;
        _cache = cache;
        _policy = policy;
        _options = options;
        _primaryKey = primaryKey;
        _forward = forward;
        _fill = fill;
        _stored = stored;
        _storedKey = storedKey;
        _storedBody = storedBody;
        _requestTime = cache.Time.GetUtcNow();
    }

    /// <summary>The freshened entry when the origin answered the revalidation with 304.</summary>
    public CachedResponse? Freshened { get; private set; }

    /// <summary>True when the origin failed (5xx) and the stored response may be served instead (stale-if-error).</summary>
    public bool ServeStale { get; private set; }

    /// <summary>The status the origin answered with, once decided.</summary>
    public int OriginStatus { get; private set; }

    /// <summary>Whether the response is being copied into the store (decided when it started).</summary>
    public bool IsStoring => Volatile.Read(ref _bodyWriter) is not null;

    /// <summary>The time the origin took to send its response headers.</summary>
    public TimeSpan OriginDuration { get; private set; }

    /// <summary>Called by the <see cref="ResponseInterceptor"/> when the origin's response starts.</summary>
    public InterceptMode Decide()
    {
        var response = _context.Response;
        var responseTime = _cache.Time.GetUtcNow();
        OriginDuration = responseTime - _requestTime;
        OriginStatus = response.StatusCode;
        if (_context.GetForwarderErrorFeature() is not null)
        {
            // YARP could not get a response: the caller decides after the forwarder returns.
            _fill?.PublishNotStoring();
            return InterceptMode.PassThrough;
        }

        if (_stored is not null && response.StatusCode == StatusCodes.Status304NotModified && _storedKey is not null)
        {
            // RFC 9111 §4.3.4: the 304 updates the stored headers; the body stays where it is.
            var headers = HeaderFreshener.Freshen(_stored.Headers, response.Headers, _policy);
            var metadata = StoredResponseMetadata.Create(_context.Request.Headers, _stored.StatusCode, headers, _requestTime, responseTime, _policy);
            Freshened = _stored.WithPolicy(metadata, headers);
            _cache.Store.TryReplaceMetadata(_storedKey, Freshened, Freshened.ApproximateSize, _storedBody);
            _fill?.PublishNotStoring();
            return InterceptMode.Swallow;
        }

        if (_stored is not null && response.StatusCode >= 500
            && ReuseEvaluator.CanServeStaleOnError(_context.Request.Headers, _stored.Policy, responseTime, _policy).Allowed)
        {
            ServeStale = true;
            _fill?.PublishNotStoring();
            return InterceptMode.Swallow;
        }

        var (toStore, detail, reason) = Evaluate(responseTime);
        var status = new CacheStatusEntry { Forward = _forward, ForwardStatus = response.StatusCode, Detail = detail };
        if (toStore is not null)
        {
            _expectedLength = response.ContentLength;
            var writer = _cache.Store.CreateWriter(_expectedLength);
            if (writer.IsFailed)
            {
                writer.Dispose();
                status = status with { Detail = "store-full-or-too-large" };
                _fill?.PublishNotStoring(response);
            }
            else
            {
                _bodyWriter = writer;
                _toStore = toStore;
                status = status with { Stored = true, TimeToLive = toStore.Policy.TimeToLive(responseTime) };
                _fill?.PublishStoring(toStore, writer);
            }
        }
        else
        {
            _fill?.PublishNotStoring(response);
            if (response.StatusCode < 500 && reason is not (StorabilityReason.RequestNoStore or StorabilityReason.Authorization))
            {
                // The origin says this URL is not storable (not a passing failure, nor something about
                // this one request): requests for it bypass coalescing for a while.
                _cache.PutHitForMiss(_primaryKey, _options.HitForMissTtl, detail ?? "not-storable");
            }
        }

        CacheStatusHeader.Append(response.Headers, CacheStatusFormatter.Format(_policy.CacheName, status));

        // Directives targeted at ZProxy stop here (RFC 9213 §2); the stored copy keeps them.
        response.Headers.Remove(CacheHeaderNames.ZProxyCacheControl);
        return InterceptMode.PassThrough;
    }

    /// <summary>
    /// Puts a <see cref="ResponseInterceptor"/> in front of the context's response body, deciding with
    /// <see cref="Decide"/> when the origin's response starts and teeing into the store if it chose to
    /// store. Returns it with the feature it replaced, which the caller puts back.
    /// </summary>
    public (ResponseInterceptor Interceptor, IHttpResponseBodyFeature Inner) Intercept()
    {
        var inner = _context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        ResponseInterceptor? interceptor = null;
        var allowSynchronousIO = _context.Features.Get<IHttpBodyControlFeature>()?.AllowSynchronousIO ?? false;
        interceptor = new ResponseInterceptor(inner, allowSynchronousIO, () =>
        {
            var mode = Decide();
            if (_bodyWriter is not null)
            {
                interceptor!.TeeInto(_bodyWriter);
            }

            return mode;
        });
        _context.Features.Set<IHttpResponseBodyFeature>(interceptor);
        return (interceptor, inner);
    }

    /// <summary>
    /// After the forwarder returned: commits the copied body if it arrived whole, else drops it, so an
    /// origin that died mid-body never leaves a short body in the cache.
    /// </summary>
    public void Finish(bool completed)
    {
        var writer = _bodyWriter;
        var toStore = _toStore;
        if (writer is null || toStore is null)
        {
            return;
        }

        _bodyWriter = null;
        var whole = completed
            && _context.GetForwarderErrorFeature() is null
            && !writer.IsFailed
            && (_expectedLength is null || writer.Length == _expectedLength)
            && !StorabilityEvaluator.ExceedsMaxObjectSize(writer.Length, _policy);
        if (!whole)
        {
            writer.Abort();
            return;
        }

        if (_cache.PrepareStoreKey(toStore) is { } storeKey)
        {
            writer.TryCommit(storeKey, toStore, toStore.ApproximateSize);
        }
        else
        {
            writer.Abort();
        }
    }

    /// <summary>Drops anything copied so far (the exchange failed).</summary>
    public void Abort()
    {
        _bodyWriter?.Abort();
        _bodyWriter = null;
    }

    private (CachedResponse? ToStore, string? Detail, StorabilityReason? Reason) Evaluate(DateTimeOffset responseTime)
    {
        var request = _context.Request;
        var response = _context.Response;
        var storability = StorabilityEvaluator.Evaluate(request.Method, request.Headers, response.StatusCode, response.Headers,
            responseTime, _policy, response.ContentLength);
        if (!storability.Store)
        {
            return (null, Kebab(storability.Reason.ToString()), storability.Reason);
        }

        var headers = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers)
        {
            if (storability.ShouldStoreField(name))
            {
                headers[name] = values;
            }
        }

        var metadata = StoredResponseMetadata.Create(request.Headers, response.StatusCode, headers, _requestTime, responseTime, _policy);
        if (metadata.Vary.IsStar)
        {
            // RFC 9111 §4.1: Vary: * never matches a later request; storing it would only take memory.
            return (null, "vary-star", StorabilityReason.VaryStar);
        }

        var tags = CacheTagParser.FromResponse(response.Headers, _policy);
        return (new CachedResponse(metadata, headers, tags, _primaryKey), null, null);
    }

    private static string Kebab(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
