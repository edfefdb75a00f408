using ZProxy.PageBlocks;

namespace ZProxy.Benchmarks.Store;

/// <summary>How the store's reserve worker runs in the copy-in benchmarks.</summary>
public enum ReserveWorker
{
    /// <summary>The store's default: routine passes wait for a gap between copy-ins (<c>WorkerQuietPeriod</c>).</summary>
    Deferred,

    /// <summary><c>WorkerQuietPeriod = 0</c>: every pass runs as soon as it is asked for, beside the writer.</summary>
    AtOnce,

    /// <summary>No worker thread: the reserve is filled only between laps, so nothing disturbs the writer.</summary>
    Idle,
}

/// <summary>The store the copy-in benchmarks write into: 256 MiB with a 32 MiB warm reserve (512 pageblocks).</summary>
internal static class CopyInStore
{
    public static PageBlockStore Create(ReserveWorker worker) => new(new PageBlockStoreOptions
    {
        MemoryLimit = new ByteSize(256L << 20),
        WarmReserve = new ByteSize(32L << 20),
        TrackLeases = false,
        ManualReserveRefill = worker == ReserveWorker.Idle,
        WorkerQuietPeriod = QuietPeriod(worker),
    });

    /// <summary>
    /// Returns once the reserve is refilled, as in the proxy: by the worker thread, on its own CPU, in
    /// the gap this wait leaves. Only <see cref="ReserveWorker.Idle"/> (no worker thread) refills on the calling
    /// thread; done there for the worker modes, the refill's syscalls and page writes would leave the writer's
    /// CPU with cold caches and TLB for its next body, which the proxy's writers never see.
    /// </summary>
    public static void AwaitRefilledReserve(PageBlockStore store, ReserveWorker worker)
    {
        if (worker == ReserveWorker.Idle)
        {
            store.RefillReserve();
            return;
        }

        var served = store.RequestReserveRefill();
        if (!SpinWait.SpinUntil(() => store.ReservePassesDone >= served, TimeSpan.FromSeconds(30)))
        {
            throw new InvalidOperationException("The reserve worker made no pass within 30 s.");
        }
    }

    /// <summary>The store's <c>WorkerQuietPeriod</c> for <paramref name="worker"/>: 0 runs every pass at once.</summary>
    public static TimeSpan QuietPeriod(ReserveWorker worker)
        => worker == ReserveWorker.AtOnce ? TimeSpan.Zero : new PageBlockStoreOptions().WorkerQuietPeriod;
}
