using Xunit;

namespace ZProxy.PageBlocks.Tests;

/// <summary>
/// When the reserve worker runs: a routine pass (a full seal batch, the reserve at its low-water mark) waits
/// for a gap between copy-ins, at most <see cref="PageBlockStoreOptions.WorkerMaxDelay"/>; an urgent one (half
/// the reserve used, a writer that missed it) runs at once; and a request is never lost, whether the worker is
/// polling or asleep.
/// </summary>
public class ReserveWorkerSchedulingTests
{
    private const int Body = 20_000;

    [Fact]
    public async Task RoutinePass_WhileAWriterCopies_WaitsForAGapThenSeals()
    {
        using var store = CreateStore(quiet: TimeSpan.FromMilliseconds(100), maxDelay: TimeSpan.FromSeconds(1));
        await StartWorkerAsync(store);

        using (var busy = BusyWriter.Start(store))
        {
            // The fourth commit fills the seal batch and asks the worker for a routine pass.
            PutBatch(store, "a");
            Assert.True(store.TryLease("a0", out var lease));
            using (lease)
            {
                // A copy-in every millisecond or so: never 100 ms without one, so the seal waits.
                await Task.Delay(300);
                Assert.False(lease.IsSealed);
                Assert.True(busy.Appends > 10);

                busy.Stop();
                Assert.True(SpinWait.SpinUntil(() => lease.IsSealed, TimeSpan.FromSeconds(5)));
            }
        }
    }

    [Fact]
    public async Task RoutinePass_WritersNeverQuiet_RunsAfterTheMaxDelay()
    {
        using var store = CreateStore(quiet: TimeSpan.FromMilliseconds(100), maxDelay: TimeSpan.FromMilliseconds(200));
        await StartWorkerAsync(store);

        using var busy = BusyWriter.Start(store);
        PutBatch(store, "a");
        Assert.True(store.TryLease("a0", out var lease));
        using (lease)
        {
            Assert.True(SpinWait.SpinUntil(() => lease.IsSealed, TimeSpan.FromSeconds(5)));
        }

        // Sealed while the writer was still copying.
        Assert.True(busy.IsRunning);
    }

    [Fact]
    public async Task UrgentPass_HalfTheReserveUsed_RefillsWhileAWriterCopies()
    {
        // 1 MiB reserve: 16 blocks. Taking 9 whole blocks leaves less than half.
        using var store = CreateStore(quiet: TimeSpan.FromMilliseconds(100), maxDelay: TimeSpan.FromSeconds(1));
        await StartWorkerAsync(store);
        var refilled = store.GetStatistics().ReserveRefilledPageblocks;

        using var busy = BusyWriter.Start(store);
        for (var i = 0; i < 9; i++)
        {
            Assert.True(TestBodies.Put(store, "block" + i, TestBodies.Create(64 << 10, i)));
        }

        // Well before the 1 s a routine pass could wait, and with the writer still copying.
        Assert.True(SpinWait.SpinUntil(() => store.GetStatistics().ReserveRefilledPageblocks > refilled, TimeSpan.FromMilliseconds(700)));
        Assert.True(busy.IsRunning);
    }

    [Fact]
    public async Task RoutineRequest_AfterTheWorkerStoppedPolling_IsStillServed()
    {
        // Default timing: the worker polls for 100 quiet periods of 1 ms after a pass, then sleeps until signalled.
        using var store = CreateStore(quiet: TimeSpan.FromMilliseconds(1), maxDelay: TimeSpan.FromMilliseconds(20));
        await StartWorkerAsync(store);

        PutBatch(store, "a");
        Assert.True(store.TryLease("a0", out var first));
        using (first)
        {
            Assert.True(SpinWait.SpinUntil(() => first.IsSealed, TimeSpan.FromSeconds(5)));
        }

        await Task.Delay(500);

        PutBatch(store, "b");
        Assert.True(store.TryLease("b0", out var second));
        using (second)
        {
            // Well before the 30 s seal delay: the batch's request woke the sleeping worker.
            Assert.True(SpinWait.SpinUntil(() => second.IsSealed, TimeSpan.FromSeconds(5)));
        }
    }

    private static PageBlockStore CreateStore(TimeSpan quiet, TimeSpan maxDelay) => new(new PageBlockStoreOptions
    {
        MemoryLimit = new ByteSize(16 << 20),
        WarmReserve = new ByteSize(1 << 20),
        TrackLeases = true,
        SealBatchSize = 4,

        // Long enough that only the worker, asked by a full batch, can seal within the tests' waits.
        SealDelay = TimeSpan.FromSeconds(1),
        WorkerQuietPeriod = quiet,
        WorkerMaxDelay = maxDelay,
    });

    /// <summary>The first writer starts the worker (and misses the empty reserve: an urgent refill).</summary>
    private static async Task StartWorkerAsync(PageBlockStore store)
    {
        Assert.True(TestBodies.Put(store, "start", TestBodies.Create(Body, 99)));
        Assert.True(SpinWait.SpinUntil(() => store.IsReserveSettled && store.GetStatistics().ReserveBytes == 1 << 20, TimeSpan.FromSeconds(10)));

        // Let the seal timer of the first commit pass, so the only seal request left is the tests' batch.
        await Task.Delay(50);
        store.FlushPending();
    }

    private static void PutBatch(PageBlockStore store, string prefix)
    {
        for (var i = 0; i < 4; i++)
        {
            Assert.True(TestBodies.Put(store, prefix + i, TestBodies.Create(Body, i)));
        }
    }

    /// <summary>A writer that appends a few bytes about every millisecond until stopped, then aborts its body.</summary>
    private sealed class BusyWriter : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private int _appends;

        private BusyWriter(PageBlockStore store)
        {
            _thread = new Thread(() =>
            {
                using var writer = store.CreateWriter();
                var bytes = new byte[16];
                while (!_stop && writer.TryAppend(bytes))
                {
                    Interlocked.Increment(ref _appends);
                    Thread.Sleep(1);
                }
            })
            {
                IsBackground = true,
                Name = "busy writer",
            };
            _thread.Start();
        }

        public int Appends => Volatile.Read(ref _appends);

        public bool IsRunning => _thread.IsAlive;

        public static BusyWriter Start(PageBlockStore store) => new(store);

        public void Stop()
        {
            _stop = true;
            _thread.Join();
        }

        public void Dispose() => Stop();
    }
}
