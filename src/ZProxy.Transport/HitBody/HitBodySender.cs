using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http;
using HttpProtocol = Microsoft.AspNetCore.Http.HttpProtocol;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using ZProxy.PageBlocks;
using ZProxy.Transport.Connections;
using ZProxy.Transport.Metrics;

namespace ZProxy.Transport;

/// <summary>
/// Sends a cache hit's body from sealed segments: by reference through ZProxy's transport when
/// Kestrel passes the response writer straight through to it, by copying otherwise. A singleton
/// registered by <see cref="HitBodyServiceCollectionExtensions.AddZProxyHitBody"/> (and by
/// <see cref="ZProxyTransportWebHostBuilderExtensions.UseZProxyTransport"/>).
/// </summary>
/// <remarks>
/// <para>How the hand-off works (checked against Kestrel 10's Http1OutputProducer,
/// ConcurrentPipeWriter and HttpProtocol): after <c>StartAsync</c> Kestrel has written the status
/// line and headers into the transport writer without flushing. For a Content-Length HTTP/1.x
/// response, <c>BodyWriter.GetMemory(n)</c> reaches the transport's <c>GetMemory(n)</c> unchanged
/// as long as no flush of the transport is pending, and <c>Advance(n)</c> reaches its
/// <c>Advance(n)</c> after Kestrel's Content-Length accounting. The transport is armed with one
/// segment for exactly one <c>GetMemory</c> of exactly its length on this thread; the memory that
/// comes back is compared by identity; only then is it advanced. Any other call disarms, and the
/// arm is always dropped in a finally block. Sealed memory is never written, by anyone.</para>
/// <para>Ownership: the caller holds a reference on <c>owner</c> for the duration of the call
/// (its lease) and releases it afterwards as usual. The transport takes one reference per
/// segment queued and releases it when the kernel has taken the bytes or the connection ends.</para>
/// </remarks>
public sealed class HitBodySender
{
    private const string KestrelResponsePipeWriter = "Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpResponsePipeWriter";

    private readonly HitBodyMetrics _metrics;

    internal HitBodySender(HitBodyMetrics metrics)
    {
        _metrics = metrics;
    }

    /// <summary>
    /// Starts the response (if not started) and writes <paramref name="segments"/> as its body.
    /// If the response has not started, removes any Transfer-Encoding header and sets
    /// Content-Length to the body's length when it has none. For HEAD and for 204, 205 and 304
    /// responses, only starts the response. A response the caller already started without
    /// Content-Length is sent chunked by Kestrel, by copying.
    /// </summary>
    /// <param name="context">The request's context; its response status and headers are set.</param>
    /// <param name="segments">The body, in order (a range is a slice, see <see cref="Slice"/>).</param>
    /// <param name="owner">Owner of the sealed memory of every segment; see remarks on ownership.</param>
    /// <param name="cancellationToken">Cancels copying and flushing.</param>
    /// <param name="copyReason">When set, the body is copied and counted under this reason without trying the
    /// hand-off (the store says the memory is not sealed yet, <see cref="HitBodyCopyReasons.Unsealed"/>).</param>
    public async ValueTask<HitBodySendResult> SendAsync(HttpContext context, IReadOnlyList<SealedSegment> segments, ISealedMemoryOwner owner,
        CancellationToken cancellationToken = default, string? copyReason = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(owner);

        var response = context.Response;
        long total = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            total += segments[i].Memory.Length;
        }

        var noBody = HttpMethods.IsHead(context.Request.Method) || response.StatusCode is 204 or 205 or 304 || response.StatusCode < 200;
        if (!response.HasStarted && response.StatusCode is not (204 or 205 or 304) && response.StatusCode >= 200)
        {
            // Framing belongs to this hop (RFC 9112 section 6.1): a stored Transfer-Encoding is
            // not replayed, and a body of known length goes out with Content-Length.
            response.Headers.Remove("Transfer-Encoding");
            response.ContentLength ??= total;
        }

        await response.StartAsync(cancellationToken).ConfigureAwait(false);
        if (noBody || total == 0)
        {
            // HttpProtocol.Advance swallows HEAD bodies and throws for 204/205/304.
            return default;
        }

        SendQueue? output = null;
        var reason = copyReason ?? GetCopyReason(context, total, out output);
        var writer = response.BodyWriter;
        var rate = context.Features.Get<IHttpMinResponseDataRateFeature>()?.MinDataRate;
        long referenceBytes = 0, sendfileBytes = 0, copiedBytes = 0;

        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var length = segment.Memory.Length;
            if (length == 0)
            {
                continue;
            }

            if (reason is null && output is not null)
            {
                if (output.HasPendingFlush)
                {
                    // Kestrel's ConcurrentPipeWriter buffers while a transport flush is pending;
                    // wait for it, which returns it to pass-through.
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                var queued = TryHandOff(context, writer, output, segment, owner, rate, out var sendfile, out var failure);
                if (queued)
                {
                    if (sendfile)
                    {
                        sendfileBytes += length;
                    }
                    else
                    {
                        referenceBytes += length;
                    }

                    continue;
                }

                reason = failure;
            }

            await writer.WriteAsync(segment.Memory, cancellationToken).ConfigureAwait(false);
            copiedBytes += length;
        }

        if (copiedBytes > 0 && reason is not null)
        {
            _metrics.CopyFallback(reason);
        }

        _metrics.BodyBytes("reference", referenceBytes);
        _metrics.BodyBytes("sendfile", sendfileBytes);
        _metrics.BodyBytes("copy", copiedBytes);

        // Commits headers and every queued reference together: one gathered sendmsg.
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new HitBodySendResult(referenceBytes, sendfileBytes, copiedBytes, copiedBytes > 0 ? reason : null);
    }

    /// <summary>
    /// Returns the segments covering <paramref name="length"/> bytes from <paramref name="offset"/>
    /// of the body (for a single-range 206), slicing the first and last; file offsets follow.
    /// </summary>
    public static IReadOnlyList<SealedSegment> Slice(IReadOnlyList<SealedSegment> segments, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);

        var result = new List<SealedSegment>();
        for (var i = 0; i < segments.Count && length > 0; i++)
        {
            var segment = segments[i];
            var segmentLength = segment.Memory.Length;
            if (offset >= segmentLength)
            {
                offset -= segmentLength;
                continue;
            }

            var start = (int)offset;
            var take = (int)Math.Min(segmentLength - start, length);
            result.Add(new SealedSegment(segment.Memory.Slice(start, take), segment.File, segment.FileOffset + start));
            length -= take;
            offset = 0;
        }

        if (length > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "The range extends past the end of the body.");
        }

        return result;
    }

    private static string? GetCopyReason(HttpContext context, long total, out SendQueue? output)
    {
        output = null;
        var request = context.Request;
        if (!HttpProtocol.IsHttp11(request.Protocol) && !HttpProtocol.IsHttp10(request.Protocol))
        {
            return HitBodyCopyReasons.Protocol;
        }

        if (request.IsHttps)
        {
            return HitBodyCopyReasons.Tls;
        }

        // Kestrel's HTTP/1 feature collection falls back to the connection's features.
        if (context.Features.Get<IZeroCopyOutputFeature>() is not { } feature)
        {
            return HitBodyCopyReasons.ForeignTransport;
        }

        var response = context.Response;
        if (response.Headers.ContainsKey("Transfer-Encoding") || response.ContentLength is null)
        {
            return HitBodyCopyReasons.Chunked;
        }

        if (response.ContentLength != total)
        {
            return HitBodyCopyReasons.ContentLength;
        }

        // Only Kestrel's own response writer is known to pass GetMemory/Advance straight down
        // without touching the memory (Http1OutputProducer in Kestrel 10). A wrapper could write
        // a prefix into what it gets from below: that would be a write to sealed pages. The
        // zero-copy guard test fails if a Kestrel upgrade renames the type.
        if (response.BodyWriter.GetType().FullName != KestrelResponsePipeWriter)
        {
            return HitBodyCopyReasons.BodyWrapped;
        }

        output = feature.Output;
        return null;
    }

    /// <summary>
    /// The armed hand-off of one segment. Synchronous on purpose: the arm is bound to this thread
    /// and must not outlive this frame.
    /// </summary>
    private static bool TryHandOff(HttpContext context, PipeWriter writer, SendQueue output, in SealedSegment segment, ISealedMemoryOwner owner, MinDataRate? rate, out bool sendfile, out string? failure)
    {
        failure = null;
        if (!output.TryArm(segment, owner, rate, out sendfile))
        {
            failure = HitBodyCopyReasons.FlushPending;
            return false;
        }

        var length = segment.Memory.Length;
        var handedOver = false;
        var advanced = -1;
        try
        {
            var memory = writer.GetMemory(length);
            if (!output.IsArmedMemory(memory) || !memory.Equals(MemoryMarshal.AsMemory(segment.Memory)))
            {
                failure = HitBodyCopyReasons.NotPassedThrough;
                return false;
            }

            handedOver = true;
            writer.Advance(length);
        }
        finally
        {
            advanced = output.Disarm();
            if (handedOver && advanced != length)
            {
                // The sealed memory was handed to Kestrel but its Advance did not queue it by
                // reference (an exception, or a path Kestrel 10 does not take). The byte stream
                // would be wrong: end the connection rather than send something else.
                context.Abort();
            }
        }

        if (advanced != length)
        {
            throw new InvalidOperationException("A sealed segment was handed to the response writer but not queued by reference; the connection was aborted.");
        }

        return true;
    }
}
