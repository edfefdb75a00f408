using System.Globalization;
using System.Text;
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
/// body from the store, answering the client's own conditional (304) and range (206, multipart 206, 416)
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

        // A body still being filled has its final length only if the origin announced it; without
        // one no range can be cut, and the whole body streams as it arrives (a 200 answers a range
        // request correctly, RFC 9110 §14.2).
        var complete = lease.IsComplete;
        long? length = complete ? lease.Length : AnnouncedLength(cached);
        long start = 0;
        var count = length;
        if (length is { } total)
        {
            var range = RangeEvaluator.Evaluate(request.Method, request.Headers, cached.Policy, total);
            switch (range.Decision)
            {
                case RangeDecision.Multipart when complete:
                    await WriteMultipartAsync(context, cached, lease, range.Parts!, total);
                    return;
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
        }
        else
        {
            response.Headers.ContentLength = null;
            response.Headers.Remove(HeaderNames.ContentRange);
        }

        if (isHead || count == 0)
        {
            return;
        }

        if (!complete)
        {
            await StreamInProgressAsync(context, lease, start, count);
            return;
        }

        // The sealed segments go to the transport by reference where it can take them (ZProxy's own
        // transport, HTTP/1.1, Content-Length); the sender copies, and says why, where it cannot.
        var bytes = count!.Value;
        var segments = cached.Segments(lease);
        if (start != 0 || bytes != lease.Length)
        {
            segments = HitBodySender.Slice(segments, start, bytes);
        }

        // Only sealed memory goes out by reference: a stray write into it faults instead of silently
        // corrupting what every later client receives. Unsealed (a small object's pageblock not yet
        // full, or a seal still batched) is copied, and counted under its reason.
        await sender.SendAsync(context, segments, lease.Owner, context.RequestAborted,
            lease.IsSealed ? null : HitBodyCopyReasons.Unsealed);
        metrics.BodyBytes(bytes, fromCache: true);
    }

    /// <summary>
    /// A 206 <c>multipart/byteranges</c> answer from a complete body (RFC 9110 §14.6): each part's header is
    /// written by ZProxy, each part's bytes go through the sender like a single range (by reference where the
    /// transport takes them). A body still being filled gets its full 200 instead (the caller's default).
    /// </summary>
    private async Task WriteMultipartAsync(HttpContext context, CachedResponse cached, BodyLease lease, IReadOnlyList<ByteRange> parts, long total)
    {
        var response = context.Response;
        var boundary = Random.Shared.NextInt64().ToString("x16", CultureInfo.InvariantCulture);
        var partType = cached.Headers.TryGetValue(HeaderNames.ContentType, out var type) ? type.ToString() : null;
        var heads = new byte[parts.Count][];
        long length = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            var head = new StringBuilder();
            head.Append(i == 0 ? "--" : "\r\n--").Append(boundary).Append("\r\n");
            if (partType is not null)
            {
                head.Append("Content-Type: ").Append(partType).Append("\r\n");
            }

            head.Append("Content-Range: ").Append(parts[i].ContentRange(total)).Append("\r\n\r\n");
            heads[i] = Encoding.ASCII.GetBytes(head.ToString());
            length += heads[i].Length + parts[i].Length;
        }

        var tail = Encoding.ASCII.GetBytes("\r\n--" + boundary + "--\r\n");
        length += tail.Length;

        response.StatusCode = StatusCodes.Status206PartialContent;
        response.Headers.ContentType = "multipart/byteranges; boundary=" + boundary;
        response.Headers.Remove(HeaderNames.ContentRange);
        response.ContentLength = length;
        await response.StartAsync(context.RequestAborted);
        var segments = cached.Segments(lease);
        var copyReason = lease.IsSealed ? null : HitBodyCopyReasons.Unsealed;
        for (var i = 0; i < parts.Count; i++)
        {
            await response.BodyWriter.WriteAsync(heads[i], context.RequestAborted);
            await sender.SendAsync(context, HitBodySender.Slice(segments, parts[i].Start, parts[i].Length), lease.Owner, context.RequestAborted, copyReason);
        }

        await response.BodyWriter.WriteAsync(tail, context.RequestAborted);
        metrics.BodyBytes(length, fromCache: true);
    }

    /// <summary>
    /// Streams bytes [start, start + count) of a body still being filled (all of it when count is
    /// null) as they arrive from the origin.
    /// </summary>
    private async Task StreamInProgressAsync(HttpContext context, BodyLease lease, long start, long? count)
    {
        var response = context.Response;
        var end = count is { } n ? start + n : long.MaxValue;
        var position = start;
        while (position < end)
        {
            if (lease.TryGetMemory(position, out var memory))
            {
                if (memory.Length > end - position)
                {
                    memory = memory[..(int)(end - position)];
                }

                await response.BodyWriter.WriteAsync(memory, context.RequestAborted);
                position += memory.Length;
                continue;
            }

            var state = await lease.WaitAsync(position, context.RequestAborted);
            if (state == BodyWaitResult.Aborted || (state == BodyWaitResult.Completed && position >= lease.Length && position < end && count is not null))
            {
                // The origin died mid-body (or sent less than it announced): the client must see a
                // broken transfer, not a short body.
                context.Abort();
                return;
            }

            if (state == BodyWaitResult.Completed && position >= lease.Length)
            {
                break;
            }
        }

        metrics.BodyBytes(position - start, fromCache: true);
    }

    /// <summary>The Content-Length the origin announced for the stored response, if any.</summary>
    private static long? AnnouncedLength(CachedResponse cached) =>
        cached.Headers.TryGetValue(HeaderNames.ContentLength, out var value)
            && long.TryParse(value.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
            ? length
            : null;

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
