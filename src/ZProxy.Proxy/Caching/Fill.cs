using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;
using ZProxy.PageBlocks;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// One origin fetch that concurrent misses for the same key wait on (request coalescing). The
/// leader publishes what it got as soon as the response headers arrive; waiters then read the body
/// from the store while it is still being written, or go to the origin themselves when it is not
/// storable.
/// </summary>
internal sealed class Fill
{
    private readonly TaskCompletionSource<FillOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _waiters;

    public Task<FillOutcome> Outcome => _outcome.Task;

    /// <summary>Whether another request has joined this fill (it then outlives its leader's client).</summary>
    public bool HasWaiters => Volatile.Read(ref _waiters) > 0;

    public void AddWaiter() => Interlocked.Increment(ref _waiters);

    public void PublishStoring(CachedResponse response, BodyWriter writer) =>
        _outcome.TrySetResult(new FillOutcome(response, writer));

    /// <summary>
    /// Whether a response that is not stored is still described to waiters (status and fields): set
    /// for a full fetch behind a HEAD miss, which can answer its client from them.
    /// </summary>
    public bool SharesHeadWhenNotStoring { get; init; }

    /// <summary>Tells waiters nothing is stored; <paramref name="response"/> is the origin's answer, if there was one.</summary>
    public void PublishNotStoring(HttpResponse? response = null)
    {
        if (response is null || !SharesHeadWhenNotStoring || _outcome.Task.IsCompleted)
        {
            _outcome.TrySetResult(FillOutcome.NotStoring);
            return;
        }

        var fields = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers)
        {
            // Directives targeted at ZProxy stop here (RFC 9213 §2).
            if (!name.Equals(CacheHeaderNames.ZProxyCacheControl, StringComparison.OrdinalIgnoreCase))
            {
                fields[name] = values;
            }
        }

        _outcome.TrySetResult(new FillOutcome(null, null, new ResponseHead(response.StatusCode, fields)));
    }
}

/// <summary>The status and fields of a response that was not stored.</summary>
internal sealed record ResponseHead(int StatusCode, Dictionary<string, StringValues> Fields);

/// <summary>What a fill produced: a response being stored (with the writer to follow), or nothing to share.</summary>
internal sealed class FillOutcome(CachedResponse? response, BodyWriter? writer, ResponseHead? notStoredHead = null)
{
    public static FillOutcome NotStoring { get; } = new(null, null);

    public CachedResponse? Response { get; } = response;

    /// <summary>When nothing is stored and the fill shares it: what the origin answered.</summary>
    public ResponseHead? NotStoredHead { get; } = notStoredHead;

    /// <summary>Opens a lease on the body being written; false when it was aborted meanwhile.</summary>
    public bool TryOpenReader(out BodyLease lease)
    {
        lease = default;
        if (writer is null)
        {
            return false;
        }

        try
        {
            lease = writer.OpenReader();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
