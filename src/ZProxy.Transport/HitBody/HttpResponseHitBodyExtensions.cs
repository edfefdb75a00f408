using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ZProxy.PageBlocks;

namespace ZProxy.Transport;

/// <summary>Shorthand for the cache middleware.</summary>
public static class HttpResponseHitBodyExtensions
{
    /// <summary>
    /// Sends <paramref name="segments"/> as the body of <paramref name="response"/> with the
    /// <see cref="HitBodySender"/> from the request's services. See <see cref="HitBodySender.SendAsync"/>.
    /// </summary>
    public static ValueTask<HitBodySendResult> SendSealedBodyAsync(this HttpResponse response, IReadOnlyList<SealedSegment> segments, ISealedMemoryOwner owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var sender = response.HttpContext.RequestServices.GetRequiredService<HitBodySender>();
        return sender.SendAsync(response.HttpContext, segments, owner, cancellationToken);
    }
}
