using System.Diagnostics;
using Xunit;

namespace ZProxy.PageBlocks.Tests;

/// <summary>
/// When the reserve worker runs: a routine pass (a full seal batch, the reserve at its low-water mark) waits
/// for a gap between copy-ins, at most <see cref="PageBlockStoreOptions.WorkerMaxDelay"/>; an urgent one (half
/// the reserve used, a writer that missed it) runs at once; and a request is never lost, whether the worker is
/// polling or asleep. The worker also keeps the seal delay of a batch that does not fill, so commits never
/// re-arm a timer.
/// </summary>
public class ReserveWorkerSchedulingTests
{
    private const int Body = 20_000;

    [Fact]
    public async Task RoutinePass_WhileAWriterCopies_WaitsForAGapThenSeals()
    {
        var quiet = TimeSpan.FromMilliseconds(100);
        var maxDelay = TimeSpan.FromSeconds(1);
        using var store = CreateStore(quiet, maxDelay);
        await StartWorkerAsync(store);

        using (var busy = BusyWriter.Start(store))
        {
            // The fourth commit fills the seal batch and asks the worker for a routine pass.
            var batched = Stopwatch.StartNew();
            PutBatch(store, "a");
            Assert.True(store.TryLease("a0", out var lease));
            using (lease)
            {
                // A copy-in every millisecond or so: never 100 ms without one, so the seal waits.
                await Task.Delay(200);
                var sealedMeanwhile = lease.IsSealed;

                // Read after the seal state, so they bound the time it was read at. A machine loaded enough to
                // starve the writer for a quiet period, or to stretch the wait past the 1 s limit, leaves nothing
                // to check in this run (under heavy load the wait has been seen to take 1.1 s).
                if (batched.Elapsed < maxDelay && busy.LongestGap < quiet)
                {
                    Assert.False(sealedMeanwhile, $"sealed {batched.ElapsedMilliseconds} ms after the batch while the writer copied (longest gap {busy.LongestGap.TotalMilliseconds:F0} ms)");
                }

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
            // Only the batch's request wakes the sleeping worker, or a second later the seal deadline it sleeps until.
            Assert.True(SpinWait.SpinUntil(() => second.IsSealed, TimeSpan.FromSeconds(5)));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PartialBatch_WorkerKeepsTheSealDelay_SealedWithoutATimer(bool workerAsleep)
    {
        // Default timing: the worker polls for 100 ms after a pass, then sleeps until signalled.
        using var store = CreateStore(quiet: TimeSpan.FromMilliseconds(1), maxDelay: TimeSpan.FromMilliseconds(20), sealDelay: TimeSpan.FromMilliseconds(50));
        await StartWorkerAsync(store);
        if (workerAsleep)
        {
            await Task.Delay(500);
        }

        // One body of a batch of four: only the seal delay seals it.
        var committed = Stopwatch.StartNew();
        Assert.True(TestBodies.Put(store, "lone", TestBodies.Create(Body, 1)));
        Assert.True(store.TryLease("lone", out var lease));
        using (lease)
        {
            Assert.True(SpinWait.SpinUntil(() => lease.IsSealed, TimeSpan.FromSeconds(5)));
        }

        // Not before the delay, give or take the deadline clock's granularity (Environment.TickCount64 may read a
        // coarse clock, one kernel tick of up to 10 ms), and no timer: commits never re-arm one.
        Assert.True(committed.ElapsedMilliseconds >= 40, $"sealed after {committed.ElapsedMilliseconds} ms");
        Assert.False(store.HasSealTimer);
    }

    private static PageBlockStore CreateStore(TimeSpan quiet, TimeSpan maxDelay, TimeSpan? sealDelay = null) => new(new PageBlockStoreOptions
    {
        MemoryLimit = new ByteSize(16 << 20),
        WarmReserve = new ByteSize(1 << 20),
        TrackLeases = true,
        SealBatchSize = 4,

        // Long enough that only the worker, asked by a full batch, can seal within the tests' waits.
        SealDelay = sealDelay ?? TimeSpan.FromSeconds(1),
        WorkerQuietPeriod = quiet,
        WorkerMaxDelay = maxDelay,
    });

    /// <summary>The first writer starts the worker (and misses the empty reserve: an urgent refill).</summary>
    private static async Task StartWorkerAsync(PageBlockStore store)
    {
        Assert.True(TestBodies.Put(store, "start", TestBodies.Create(Body, 99)));
        Assert.True(SpinWait.SpinUntil(() => store.IsReserveSettled && store.GetStatistics().ReserveBytes == 1 << 20, TimeSpan.FromSeconds(10)));

        // Let the seal of the first commit pass, so the only seal request left is the tests' batch.
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
        private long _lastAppend = Stopwatch.GetTimestamp();
        private long _longestGap;

        private BusyWriter(PageBlockStore store)
        {
            _thread = new Thread(() =>
            {
                using var writer = store.CreateWriter();
                var bytes = new byte[16];
                while (!_stop && writer.TryAppend(bytes))
                {
                    var now = Stopwatch.GetTimestamp();
                    Volatile.Write(ref _longestGap, Math.Max(_longestGap, now - _lastAppend));
                    Volatile.Write(ref _lastAppend, now);
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

        /// <summary>The longest the writer went without copying, up to now (a loaded machine can starve it).</summary>
        public TimeSpan LongestGap => Stopwatch.GetElapsedTime(0, Math.Max(
            Volatile.Read(ref _longestGap),
            Stopwatch.GetTimestamp() - Volatile.Read(ref _lastAppend)));

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
