using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using ZProxy.Caching.Headers;
using ZProxy.Caching.Ranges;
using ZProxy.Caching.Validation;
using ZProxy.PageBlocks;
using ZProxy.Transport;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// Answers a request from a stored response: status and headers with a current <c>Age</c>, then the
/// body from the store, answering the client's own conditional (304) and single-range (206/416)
/// requests and HEAD on the way. Works on a complete body and on one still being filled.
/// </summary>
internal sealed class CachedResponseWriter(CacheMetrics metrics, HitBodySender sender)
{
    public async Task WriteAsync(HttpContext context, CachedResponse cached, BodyLease lease, DateTimeOffset now, string cacheStatus)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers.Clear();
        response.StatusCode = cached.StatusCode;
        foreach (var (name, values) in cached.Headers)
        {
            response.Headers[name] = values;
        }

        // Directives targeted at ZProxy stop here (RFC 9213 §2: meant for this cache, not the next one).
        response.Headers.Remove(CacheHeaderNames.ZProxyCacheControl);

        // RFC 9111 §5.1: a cache sends Age on every response it serves from storage.
        response.Headers.Age = cached.HitAge(now);
        response.Headers.Append(CacheStatusHeader.Name, cacheStatus);

        var (conditional, _) = ConditionalRequestEvaluator.Evaluate(request.Method, request.Headers, cached.Policy);
        if (conditional == ConditionalOutcome.NotModified)
        {
            WriteNotModifiedHeaders(response, cached);
            return;
        }

        var isHead = HttpMethods.IsHead(request.Method);
        if (!lease.IsComplete)
        {
            // Coalesced onto a fill still in progress: the length may be unknown, so no range is cut;
            // the body streams as it arrives.
            await StreamInProgressAsync(context, lease, isHead);
            return;
        }

        var length = lease.Length;
        long start = 0, count = length;
        var range = RangeEvaluator.Evaluate(request.Method, request.Headers, cached.Policy, length);
        switch (range.Decision)
        {
            case RangeDecision.Partial:
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = range.ContentRange;
                (start, count) = (range.Start, range.Length);
                break;
            case RangeDecision.NotSatisfiable:
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = range.ContentRange;
                response.Headers.Remove(HeaderNames.ContentType);
                response.ContentLength = 0;
                return;
        }

        response.ContentLength = count;
        if (isHead || count == 0)
        {
            return;
        }

        // The sealed segments go to the transport by reference where it can take them (ZProxy's own
        // transport, HTTP/1.1, Content-Length); the sender copies, and says why, where it cannot.
        var segments = cached.Segments(lease);
        if (start != 0 || count != length)
        {
            segments = HitBodySender.Slice(segments, start, count);
        }

        // Only sealed memory goes out by reference: a stray write into it faults instead of silently
        // corrupting what every later client receives. Unsealed (a small object's pageblock not yet
        // full, or a seal still batched) is copied, and counted under its reason.
        await sender.SendAsync(context, segments, lease.Owner, context.RequestAborted,
            lease.IsSealed ? null : HitBodyCopyReasons.Unsealed);
        metrics.BodyBytes(count, fromCache: true);
    }

    private async Task StreamInProgressAsync(HttpContext context, BodyLease lease, bool isHead)
    {
        var response = context.Response;
        response.Headers.Remove(HeaderNames.ContentRange);
        if (isHead)
        {
            return;
        }

        long position = 0;
        while (true)
        {
            if (lease.TryGetMemory(position, out var memory))
            {
                await response.BodyWriter.WriteAsync(memory, context.RequestAborted);
                position += memory.Length;
                continue;
            }

            var state = await lease.WaitAsync(position, context.RequestAborted);
            if (state == BodyWaitResult.Aborted)
            {
                // The origin died mid-body: the client must see a broken transfer, not a short body.
                context.Abort();
                return;
            }

            if (state == BodyWaitResult.Completed && position >= lease.Length)
            {
                metrics.BodyBytes(position, fromCache: true);
                return;
            }
        }
    }

    private static void WriteNotModifiedHeaders(HttpResponse response, CachedResponse cached)
    {
        // RFC 9110 §15.4.5: a 304 carries the fields a 200 would have for cache updating, no content fields.
        response.StatusCode = StatusCodes.Status304NotModified;
        // The response holds exactly the stored fields plus Age and Cache-Status (WriteAsync cleared it
        // first), so walking the stored fields finds every one to drop without copying the header names.
        var hasETag = cached.Policy.ETag is not null;
        foreach (var name in cached.Headers.Keys)
        {
            if (!NotModifiedFields.IsSent(name, hasETag)
                && !name.Equals(CacheStatusHeader.Name, StringComparison.OrdinalIgnoreCase)
                && !name.Equals(HeaderNames.Age, StringComparison.OrdinalIgnoreCase))
            {
                response.Headers.Remove(name);
            }
        }
    }
}

/// <summary>The RFC 9211 response field.</summary>
internal static class CacheStatusHeader
{
    public const string Name = "Cache-Status";

    /// <summary>Appends this cache's entry after any entries from caches nearer the origin (RFC 9211 §2).</summary>
    public static void Append(IHeaderDictionary headers, string value) =>
        headers[Name] = StringValues.Concat(headers[Name], value);
}
