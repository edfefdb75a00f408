using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using ZProxy.Caching;
using ZProxy.Caching.Headers;
using ZProxy.Caching.Invalidation;
using ZProxy.Caching.Keys;
using ZProxy.Caching.Reuse;
using ZProxy.Caching.Status;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// The shared HTTP cache (RFC 9111) in YARP's pipeline. A fresh hit is answered here and never
/// reaches load balancing or the origin; a miss is forwarded once per key however many clients ask
/// at once, streamed to the first client while it is copied into the store, and streamed from the
/// store to the others as it arrives.
/// </summary>
internal sealed class CacheMiddleware(
    RequestDelegate next,
    HttpCache cache,
    CachePolicyResolver policies,
    FillTable fills,
    CachedResponseWriter writer,
    BackgroundRevalidator background,
    FullFetcher fullFetcher,
    CacheMetrics metrics)
{
    /// <summary>How long a coalesced request waits for the leading fetch's response headers.</summary>
    private static readonly TimeSpan CoalescingWait = TimeSpan.FromSeconds(120);

    public async Task InvokeAsync(HttpContext context)
    {
        var policy = policies.Resolve(context);
        var options = policies.Options;
        var request = context.Request;
        if (options.PurgeOnPublicPort && string.Equals(request.Method, "PURGE", StringComparison.OrdinalIgnoreCase))
        {
            await PurgeAsync(context, policy, options);
            return;
        }

        var (disposition, reason) = RequestClassifier.Classify(request.Method, request.Headers, policy);
        switch (disposition)
        {
            case RequestDisposition.Bypass:
                metrics.Request(CacheResults.Pass);
                AppendStatusOnStart(context, policy, new CacheStatusEntry
                {
                    Forward = reason == RequestReason.MethodNotCacheable ? CacheStatusForward.Method : CacheStatusForward.Bypass,
                });
                await next(context);
                return;

            case RequestDisposition.ForwardAndInvalidate:
                metrics.Request(CacheResults.Pass);
                AppendStatusOnStart(context, policy, new CacheStatusEntry { Forward = CacheStatusForward.Method });
                await next(context);
                Invalidate(context, policy);
                return;
        }

        await LookupAsync(context, policy, options);
    }

    private async Task LookupAsync(HttpContext context, CachePolicyOptions policy, CacheOptions options)
    {
        var request = context.Request;
        var now = cache.Time.GetUtcNow();
        var (lookup, reuse, primaryKey, storeKey) = Find(request, policy, now);

        if (lookup.Result == CacheLookupResult.Found)
        {
            var cached = lookup.Response!;
            var lease = lookup.Lease;
            try
            {
                switch (reuse.Decision)
                {
                    case ReuseDecision.Serve:
                        metrics.Request(CacheResults.Hit);
                        await writer.WriteAsync(context, cached, lease, now, cached.HitCacheStatus(policy.CacheName, reuse.TimeToLive));
                        return;

                    case ReuseDecision.ServeStaleAndRevalidate:
                        metrics.Request(CacheResults.Stale);
                        background.TryStart(context, policy, options, primaryKey!, storeKey!, cached, reuse);
                        await writer.WriteAsync(context, cached, lease, now,
                            Format(policy, new CacheStatusEntry { Hit = true, TimeToLive = reuse.TimeToLive, Detail = "stale-while-revalidate" }));
                        return;

                    case ReuseDecision.GatewayTimeout:
                        await WriteOnlyIfCachedMissAsync(context, policy);
                        return;

                    case ReuseDecision.Revalidate:
                    case ReuseDecision.Fetch:
                        // Fetch is a revalidation without validators (none stored, or the client wants a
                        // fresh copy): the stored response still stands in if the origin fails.
                        await RevalidateAsync(context, policy, options, primaryKey!, storeKey!, cached, lease, reuse,
                            reuse.Decision == ReuseDecision.Revalidate ? CacheStatusForward.Stale : CacheStatusFormatter.ForwardFor(reuse.Reason));
                        return;
                }
            }
            finally
            {
                lease.Dispose();
            }

            return;
        }

        if (CacheControlParser.ParseRequest(request.Headers).OnlyIfCached)
        {
            // RFC 9111 §5.2.1.7: nothing stored fits, so 504 rather than contacting the origin.
            await WriteOnlyIfCachedMissAsync(context, policy);
            return;
        }

        if (lookup.Result == CacheLookupResult.HitForMiss)
        {
            // Recently not storable: forwarded at once, the client's conditions passed on (a 304 may come
            // back); stored after all if the origin's answer has become storable.
            await FetchAsync(context, policy, options, primaryKey!, storeKey!, CacheStatusForward.UriMiss, hitForMiss: true);
            return;
        }

        var miss = lookup.Result == CacheLookupResult.VaryMiss ? CacheStatusForward.VaryMiss : CacheStatusForward.UriMiss;
        await FetchAsync(context, policy, options, primaryKey!, storeKey!, miss, hitForMiss: false);
    }

    /// <summary>
    /// Looks the request up with its key in stack memory and decides reuse. A plain hit (Serve) returns no
    /// key strings, so it allocates nothing; every other outcome gets the primary and store keys as strings,
    /// which the fill, revalidation and miss paths keep.
    /// </summary>
    private (CacheLookup Lookup, ReuseResult Reuse, string? PrimaryKey, string? StoreKey) Find(HttpRequest request, CachePolicyOptions policy, DateTimeOffset now)
    {
        var key = new CacheKeyBuffer(stackalloc char[CacheKeyBuffer.StackChars]);
        try
        {
            WritePrimaryKey(ref key, request, policy);
            var primaryLength = key.Length;
            var lookup = cache.Lookup(ref key, request.Headers);
            var reuse = default(ReuseResult);
            if (lookup.Result == CacheLookupResult.Found)
            {
                try
                {
                    reuse = ReuseEvaluator.Evaluate(request.Headers, lookup.Response!.Policy, now, policy);
                }
                catch
                {
                    lookup.Lease.Dispose();
                    throw;
                }

                if (reuse.Decision == ReuseDecision.Serve)
                {
                    return (lookup, reuse, null, null);
                }
            }

            var storeKey = lookup.StoreKey ?? key.ToString();
            var primaryKey = storeKey.Length == primaryLength ? storeKey : key.Key[..primaryLength].ToString();
            return (lookup, reuse, primaryKey, storeKey);
        }
        finally
        {
            key.Dispose();
        }
    }

    private async Task FetchAsync(HttpContext context, CachePolicyOptions policy, CacheOptions options, string primaryKey,
        string storeKey, CacheStatusForward forward, bool hitForMiss)
    {
        var request = context.Request;
        var result = hitForMiss ? CacheResults.Pass : CacheResults.Miss;
        if (HttpMethods.IsHead(request.Method) || request.Headers.ContainsKey(HeaderNames.Range))
        {
            var detail = HttpMethods.IsHead(request.Method) ? "head" : "range";
            if (!hitForMiss && await TryServeFromFullFetchAsync(context, policy, options, primaryKey, storeKey, forward, detail))
            {
                return;
            }

            // Not storable after all (or no route to fetch on): forward the request as it is.
            metrics.Request(result);
            AppendStatusOnStart(context, policy, new CacheStatusEntry { Forward = forward, Detail = detail });
            await next(context);
            return;
        }

        Fill? fill = null;
        if (!hitForMiss)
        {
            if (fills.TryLead(storeKey, out var existing))
            {
                fill = existing;
            }
            else if (await TryServeCoalescedAsync(context, policy, existing,
                new CacheStatusEntry { Forward = CacheStatusForward.UriMiss, Collapsed = true }, CacheResults.Coalesced))
            {
                return;
            }
        }

        metrics.Request(result);
        try
        {
            if (!hitForMiss)
            {
                // The fill needs the full response, so the client's own conditions are not passed on
                // (RFC 9111 §4.3.2 lets a cache choose its own validators); a 200 answers them correctly.
                request.Headers.Remove(HeaderNames.IfNoneMatch);
                request.Headers.Remove(HeaderNames.IfModifiedSince);
            }

            var exchange = new OriginExchange(context, cache, policy, options, primaryKey, forward, fill);
            if (fill is null)
            {
                await ForwardAsync(context, exchange);
            }
            else
            {
                // As Varnish's fetch: a fill that others wait on, or that is being stored, outlives the
                // client that started it. YARP takes its cancellation from RequestAborted, so the fill
                // gets a token of its own, cancelled when the client leaves only if nobody needs the
                // response; writes to a gone client are discarded by Kestrel, and the origin's timeouts
                // still bound the transfer.
                var clientAborted = context.RequestAborted;
                using var fetch = new CancellationTokenSource();
                using var registration = clientAborted.UnsafeRegister(static state =>
                {
                    var (fill, exchange, fetch) = ((Fill, OriginExchange, CancellationTokenSource))state!;
                    if (!fill.HasWaiters && !exchange.IsStoring)
                    {
                        fetch.Cancel();
                    }
                }, (fill, exchange, fetch));
                context.RequestAborted = fetch.Token;
                try
                {
                    await ForwardAsync(context, exchange);
                }
                finally
                {
                    context.RequestAborted = clientAborted;
                }
            }
        }
        finally
        {
            if (fill is not null)
            {
                fill.PublishNotStoring();
                fills.Remove(storeKey, fill);
            }
        }
    }

    /// <summary>
    /// A HEAD or Range miss: the full GET is fetched for the store on a request of its own (or an
    /// existing fill is joined) and this request is answered from the store as the body arrives.
    /// </summary>
    private async Task<bool> TryServeFromFullFetchAsync(HttpContext context, CachePolicyOptions policy, CacheOptions options,
        string primaryKey, string storeKey, CacheStatusForward forward, string detail)
    {
        var isHead = HttpMethods.IsHead(context.Request.Method);
        if (!fills.TryLead(storeKey, out var fill, sharesHeadWhenNotStoring: isHead))
        {
            return await TryServeCoalescedAsync(context, policy, fill,
                new CacheStatusEntry { Forward = CacheStatusForward.UriMiss, Collapsed = true, Detail = detail }, CacheResults.Coalesced);
        }

        if (!fullFetcher.TryStart(context, policy, options, primaryKey, storeKey, forward, fill))
        {
            return false;
        }

        if (await TryServeCoalescedAsync(context, policy, fill,
            new CacheStatusEntry { Forward = forward, Stored = true, Detail = detail }, CacheResults.Miss))
        {
            return true;
        }

        // Not stored, but the GET's status and fields answer a HEAD (RFC 9110 §9.3.2): one origin
        // trip, as with nginx's proxy_cache_convert_head.
        if (isHead && fill.Outcome.IsCompletedSuccessfully && fill.Outcome.Result.NotStoredHead is { } head)
        {
            metrics.Request(CacheResults.Pass);
            var response = context.Response;
            response.StatusCode = head.StatusCode;
            foreach (var (name, values) in head.Fields)
            {
                response.Headers[name] = values;
            }

            CacheStatusHeader.Append(response.Headers, Format(policy, new CacheStatusEntry
            {
                Forward = forward,
                ForwardStatus = head.StatusCode,
                Detail = detail,
            }));
            return true;
        }

        return false;
    }

    private async Task<bool> TryServeCoalescedAsync(HttpContext context, CachePolicyOptions policy, Fill fill, CacheStatusEntry status,
        string result)
    {
        fill.AddWaiter();
        FillOutcome outcome;
        try
        {
            outcome = await fill.Outcome.WaitAsync(CoalescingWait, context.RequestAborted);
        }
        catch (TimeoutException)
        {
            return false;
        }

        if (outcome.Response is not { } cached
            || !VaryKey.Matches(cached.Policy.Vary, cached.Policy.SecondaryKey, context.Request.Headers)
            || !outcome.TryOpenReader(out var lease))
        {
            return false;
        }

        using (lease)
        {
            metrics.Request(result);
            await writer.WriteAsync(context, cached, lease, cache.Time.GetUtcNow(), Format(policy, status));
        }

        return true;
    }

    private async Task RevalidateAsync(HttpContext context, CachePolicyOptions policy, CacheOptions options, string primaryKey,
        string storeKey, CachedResponse cached, PageBlocks.BodyLease lease, ReuseResult reuse, CacheStatusForward forward)
    {
        var headers = context.Request.Headers;

        // The client's own conditions and range are answered from the (possibly freshened) entry
        // afterwards; the origin sees ZProxy's validators only (RFC 9111 §4.3.1).
        var clientConditions = ClientConditions.Take(headers);
        SetOrRemove(headers, HeaderNames.IfNoneMatch, reuse.IfNoneMatch);
        SetOrRemove(headers, HeaderNames.IfModifiedSince, reuse.IfModifiedSince);

        var exchange = new OriginExchange(context, cache, policy, options, primaryKey, forward, fill: null,
            stored: cached, storedKey: storeKey, storedBody: lease.Owner);
        await ForwardAsync(context, exchange);
        clientConditions.Restore(headers);

        var now = cache.Time.GetUtcNow();
        if (exchange.Freshened is { } freshened)
        {
            metrics.Request(CacheResults.Revalidated);
            await writer.WriteAsync(context, freshened, lease, now, Format(policy, new CacheStatusEntry
            {
                Forward = CacheStatusForward.Stale,
                ForwardStatus = StatusCodes.Status304NotModified,
                TimeToLive = freshened.Policy.TimeToLive(now),
            }));
            return;
        }

        var originFailed = exchange.ServeStale
            || (context.GetForwarderErrorFeature() is not null && !context.Response.HasStarted
                && ReuseEvaluator.CanServeStaleOnError(headers, cached.Policy, now, policy).Allowed);
        if (originFailed)
        {
            // RFC 5861 stale-if-error (or the configured grace): stale content beats an error page.
            metrics.Request(CacheResults.Stale);
            await writer.WriteAsync(context, cached, lease, now, Format(policy, new CacheStatusEntry
            {
                Hit = true,
                Forward = forward,
                ForwardStatus = exchange.ServeStale ? exchange.OriginStatus : context.Response.StatusCode,
                TimeToLive = cached.Policy.TimeToLive(now),
                Detail = "stale-if-error",
            }));
            return;
        }

        metrics.Request(CacheResults.Miss);
    }

    private async Task ForwardAsync(HttpContext context, OriginExchange exchange)
    {
        var (interceptor, inner) = exchange.Intercept();
        var completed = false;
        try
        {
            await next(context);
            interceptor.EnsureDecided();
            completed = true;
        }
        finally
        {
            context.Features.Set(inner);
            if (completed)
            {
                exchange.Finish(completed: !context.RequestAborted.IsCancellationRequested);
            }
            else
            {
                exchange.Abort();
            }

            metrics.OriginDuration(exchange.OriginDuration);
            metrics.BodyBytes(interceptor.BytesWritten, fromCache: false);
        }
    }

    private void Invalidate(HttpContext context, CachePolicyOptions policy)
    {
        var status = context.Response.StatusCode;
        if (status is < 200 or >= 400)
        {
            return;
        }

        var target = new Uri(context.Request.GetEncodedUrl());
        foreach (var uri in InvalidationEvaluator.GetInvalidatedUris(context.Request.Method, status, target, context.Response.Headers))
        {
            cache.Purge(CacheKeyBuilder.Build(uri, policy.Key));
        }
    }

    private async Task PurgeAsync(HttpContext context, CachePolicyOptions policy, CacheOptions options)
    {
        var response = context.Response;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        if (!AddressAllowList.Allows(options.PurgeAllowList, context.Connection.RemoteIpAddress))
        {
            response.StatusCode = StatusCodes.Status403Forbidden;
            await response.WriteAsync("403 Forbidden: PURGE is not allowed from this address.\n");
            return;
        }

        var request = context.Request;
        var key = PrimaryKey(request, policy);
        var removed = cache.Purge(key);
        response.StatusCode = removed ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
        await response.WriteAsync(removed ? "Purged.\n" : "Not in cache.\n");
    }

    private static async Task WriteOnlyIfCachedMissAsync(HttpContext context, CachePolicyOptions policy)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status504GatewayTimeout;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        CacheStatusHeader.Append(response.Headers, Format(policy, new CacheStatusEntry { Forward = CacheStatusForward.None, Detail = "only-if-cached" }));
        await response.WriteAsync("504 Gateway Timeout: only-if-cached and nothing suitable is stored.\n");
    }

    private static void AppendStatusOnStart(HttpContext context, CachePolicyOptions policy, CacheStatusEntry entry)
    {
        var value = Format(policy, entry);
        context.Response.OnStarting(static state =>
        {
            var (response, status) = ((HttpResponse, string))state;
            CacheStatusHeader.Append(response.Headers, status);
            response.Headers.Remove(CacheHeaderNames.ZProxyCacheControl);
            return Task.CompletedTask;
        }, (context.Response, value));
    }

    /// <summary>The URL key as a string (purge), the same text <see cref="WritePrimaryKey"/> writes.</summary>
    private static string PrimaryKey(HttpRequest request, CachePolicyOptions policy)
    {
        var key = new CacheKeyBuffer(stackalloc char[CacheKeyBuffer.StackChars]);
        try
        {
            WritePrimaryKey(ref key, request, policy);
            return key.ToString();
        }
        finally
        {
            key.Dispose();
        }
    }

    /// <summary>
    /// Writes the URL key. The path goes in escaped form (as on the wire), so request keys equal the keys
    /// built from the absolute URIs of invalidation (Location, Content-Location) and purge requests.
    /// <c>ToUriComponent</c> returns the path itself, without allocating, unless it has a char to escape.
    /// </summary>
    private static void WritePrimaryKey(ref CacheKeyBuffer key, HttpRequest request, CachePolicyOptions policy) =>
        CacheKeyBuilder.Write(ref key, request.Scheme, request.Host.Value ?? string.Empty,
            request.PathBase.ToUriComponent(), request.Path.ToUriComponent(), request.QueryString.Value, policy.Key);

    private static string Format(CachePolicyOptions policy, CacheStatusEntry entry) => CacheStatusFormatter.Format(policy.CacheName, entry);

    private static void SetOrRemove(IHeaderDictionary headers, string name, string? value)
    {
        if (value is null)
        {
            headers.Remove(name);
        }
        else
        {
            headers[name] = value;
        }
    }

    /// <summary>The client's conditional and range fields, held aside while ZProxy revalidates.</summary>
    private readonly record struct ClientConditions(StringValues IfNoneMatch, StringValues IfModifiedSince, StringValues Range, StringValues IfRange)
    {
        public static ClientConditions Take(IHeaderDictionary headers)
        {
            var taken = new ClientConditions(headers.IfNoneMatch, headers.IfModifiedSince, headers.Range, headers.IfRange);
            headers.Remove(HeaderNames.Range);
            headers.Remove(HeaderNames.IfRange);
            return taken;
        }

        public void Restore(IHeaderDictionary headers)
        {
            SetOrRemove(headers, HeaderNames.IfNoneMatch, IfNoneMatch);
            SetOrRemove(headers, HeaderNames.IfModifiedSince, IfModifiedSince);
            SetOrRemove(headers, HeaderNames.Range, Range);
            SetOrRemove(headers, HeaderNames.IfRange, IfRange);
        }

        private static void SetOrRemove(IHeaderDictionary headers, string name, StringValues value)
        {
            if (StringValues.IsNullOrEmpty(value))
            {
                headers.Remove(name);
            }
            else
            {
                headers[name] = value;
            }
        }
    }
}
