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

    public Task<FillOutcome> Outcome => _outcome.Task;

    public void PublishStoring(CachedResponse response, BodyWriter writer) =>
        _outcome.TrySetResult(new FillOutcome(response, writer));

    public void PublishNotStoring() => _outcome.TrySetResult(FillOutcome.NotStoring);
}

/// <summary>What a fill produced: a response being stored (with the writer to follow), or nothing to share.</summary>
internal sealed class FillOutcome(CachedResponse? response, BodyWriter? writer)
{
    public static FillOutcome NotStoring { get; } = new(null, null);

    public CachedResponse? Response { get; } = response;

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
