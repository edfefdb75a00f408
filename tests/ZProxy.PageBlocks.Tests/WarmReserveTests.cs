using Xunit;

namespace ZProxy.PageBlocks.Tests;

/// <summary>
/// The warm reserve: punched, populated, writable pageblocks kept ahead of writers, charged to the limit,
/// refilled by a worker thread, and never holding bytes anyone could have read.
/// </summary>
public class WarmReserveTests
{
    private const int Body = 64 * 1024;

    [Fact]
    public void RefillReserve_EmptyStore_FillsToTargetChargedToTheLimit()
    {
        // 8 MiB limit: the 16 MiB default asked for is capped at an eighth of the limit.
        using var store = TestBodies.CreateStore(memoryLimit: 8 << 20, warmReserve: 16 << 20, manualRefill: true);

        store.RefillReserve();

        var stats = store.GetStatistics();
        Assert.Equal(1 << 20, stats.ReserveTargetBytes);
        Assert.Equal(1 << 20, stats.ReserveBytes);
        Assert.Equal(16, stats.ReservePageblocks);
        Assert.Equal(stats.ReserveBytes, stats.UsedBytes);
        Assert.Equal(0, stats.DataBytes);
        Assert.Equal(0, stats.ReserveMisses);
    }

    [Fact]
    public void Write_ReserveWarm_TakesWarmPagesWithoutMiss()
    {
        using var store = TestBodies.CreateStore(memoryLimit: 8 << 20, warmReserve: 1 << 20, manualRefill: true);
        store.RefillReserve();
        var body = TestBodies.Create(Body, 1);

        Assert.True(TestBodies.Put(store, "k", body));

        var stats = store.GetStatistics();
        Assert.Equal(0, stats.ReserveMisses);
        Assert.Equal((1 << 20) - Body, stats.ReserveBytes);
        Assert.Equal(Body, stats.DataBytes);
        Assert.True(store.TryLease("k", out var lease));
        using (lease)
        {
            Assert.Equal(body, TestBodies.Read(lease));
        }
    }

    [Theory]
    [InlineData(Body, true)]
    [InlineData(Body, false)]
    [InlineData(20_000, false)]
    public void Write_ReserveEmpty_FallsBackToFreshPagesAndCountsAMiss(int length, bool knownLength)
    {
        using var store = TestBodies.CreateStore(memoryLimit: 8 << 20, warmReserve: 1 << 20, manualRefill: true);
        var body = TestBodies.Create(length, 2);

        Assert.True(TestBodies.Put(store, "k", body, knownLength));

        var stats = store.GetStatistics();
        Assert.True(stats.ReserveMisses >= 1);
        Assert.Equal(0, stats.ReserveBytes);
        Assert.True(store.TryLease("k", out var lease));
        using (lease)
        {
            Assert.Equal(body, TestBodies.Read(lease));
        }
    }

    [Fact]
    public void WriteSmall_SizeClassSlots_LeaveTheReserveAlone()
    {
        using var store = TestBodies.CreateStore(memoryLimit: 8 << 20, warmReserve: 1 << 20, manualRefill: true);
        store.RefillReserve();

        for (var i = 0; i < 50; i++)
        {
            Assert.True(TestBodies.Put(store, "s" + i, TestBodies.Create(300 + (i * 50), i)));
        }

        // Slot blocks fill slowly; warm pages parked in them would be out of every other writer's reach.
        var stats = store.GetStatistics();
        Assert.Equal(1 << 20, stats.ReserveBytes);
        Assert.Equal(0, stats.ReserveMisses);
    }

    [Theory]
    [InlineData(Body, true)]
    [InlineData(20_000, false)]
    [InlineData(150_000, false)]
    [InlineData(1000, true)]
    [InlineData(1000, false)]
    public void WriteRemoveFlush_FromWarmReserve_AccountingReturnsToAFullReserve(int length, bool knownLength)
    {
        using var store = TestBodies.CreateStore(memoryLimit: 8 << 20, warmReserve: 1 << 20, manualRefill: true);
        store.RefillReserve();

        for (var i = 0; i < 10; i++)
        {
            Assert.True(TestBodies.Put(store, "k" + i, TestBodies.Create(length, i), knownLength));
        }

        for (var i = 0; i < 10; i++)
        {
            store.Remove("k" + i);
        }

        store.FlushPending();
        store.RefillReserve();

        // Warm pages a writer took and did not use (trimmed tails, unused slot pages) went back to the reserve
        // or were punched with their block: nothing stays charged but the reserve itself.
        var stats = store.GetStatistics();
        Assert.Equal(0, stats.DataBytes);
        Assert.Equal(0, stats.FreedUnpunchedBytes);
        Assert.Equal(stats.ReserveTargetBytes, stats.ReserveBytes);
        Assert.Equal(stats.ReserveBytes, stats.UsedBytes);
        if (10L * length <= 512 << 10)
        {
            // Well within the 1 MiB reserve: every run and small block came from it.
            Assert.Equal(0, stats.ReserveMisses);
        }
    }

    [Fact]
    public void Fill_PastTheLimitWithRefills_UsedIncludingReserveNeverAboveTheLimit()
    {
        const long Limit = 2 << 20;
        using var store = TestBodies.CreateStore(memoryLimit: Limit, warmReserve: 256 << 10, manualRefill: true);
        var random = new Random(5);
        for (var i = 0; i < 400; i++)
        {
            var length = random.Next(3) switch { 0 => random.Next(1, 4000), 1 => Body, _ => random.Next(4096, 200_000) };
            TestBodies.Put(store, "k" + random.Next(100), TestBodies.Create(length, i), knownLength: random.Next(2) == 0);
            if (i % 3 == 0)
            {
                store.RefillReserve();
            }

            var stats = store.GetStatistics();
            Assert.True(stats.UsedBytes <= Limit, $"used {stats.UsedBytes} > limit {Limit} at step {i}");
            Assert.True(stats.ReserveBytes >= 0);
        }

        var end = store.GetStatistics();
        Assert.True(end.Evictions > 0);
        Assert.True(end.ReserveRefilledPageblocks > 0);
    }

    [Fact]
    public void Fill_WithTheWorkerThread_LimitHoldsAtEverySnapshot()
    {
        const long Limit = 4 << 20;
        using var store = TestBodies.CreateStore(memoryLimit: Limit, warmReserve: 512 << 10, sealBatchSize: 8);
        var done = false;
        var snapshots = 0;
        string? violation = null;

        // A thread of its own (not the pool, which may start it late on a loaded machine), watching from
        // before the first write.
        var watcher = new Thread(() =>
        {
            while (!Volatile.Read(ref done))
            {
                var stats = store.GetStatistics();
                if (stats.UsedBytes > Limit)
                {
                    violation ??= $"used {stats.UsedBytes} > limit {Limit}";
                }

                Interlocked.Increment(ref snapshots);
            }
        });
        watcher.Start();
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref snapshots) > 0, TimeSpan.FromSeconds(30)));

        for (var i = 0; i < 600; i++)
        {
            Assert.True(TestBodies.Put(store, "k" + (i % 200), TestBodies.Create(i % 2 == 0 ? Body : 30_000, i)));
        }

        Volatile.Write(ref done, true);
        watcher.Join();
        var end = store.GetStatistics();
        Assert.Null(violation);
        Assert.True(snapshots > 1);
        Assert.True(end.Evictions > 0);
        Assert.True(end.ReserveRefilledPageblocks > 0);
    }

    [Fact]
    public void Worker_ReserveDrained_RefillsItInTheBackground()
    {
        using var store = TestBodies.CreateStore(memoryLimit: 8 << 20, warmReserve: 1 << 20);

        // The first writer starts the worker (and misses: nothing is warm yet).
        Assert.True(TestBodies.Put(store, "first", TestBodies.Create(Body, 1)));
        Assert.True(SpinWait.SpinUntil(() => store.GetStatistics().ReserveBytes == 1 << 20, TimeSpan.FromSeconds(10)));
        var refilled = store.GetStatistics().ReserveRefilledPageblocks;

        for (var i = 0; i < 12; i++)
        {
            Assert.True(TestBodies.Put(store, "k" + i, TestBodies.Create(Body, i)));
        }

        // Twelve blocks taken crossed the low-water mark (three quarters, 12 blocks) at least once: the worker
        // topped the reserve up then, and it is back above the mark once the worker is idle.
        Assert.True(SpinWait.SpinUntil(() => store.IsReserveSettled && store.GetStatistics().ReserveRefilledPageblocks > refilled, TimeSpan.FromSeconds(10)));
        Assert.True(store.GetStatistics().ReserveBytes >= 12 * Body);
    }

    [Fact]
    public void Dispose_WithWorkerRunning_StopsTheWorkerThread()
    {
        var store = TestBodies.CreateStore(memoryLimit: 8 << 20, warmReserve: 1 << 20);
        Assert.True(TestBodies.Put(store, "k", TestBodies.Create(Body, 1)));
        var worker = store.ReserveWorker;
        Assert.NotNull(worker);
        Assert.True(worker.IsAlive);

        store.Dispose();

        Assert.False(worker.IsAlive);
        Assert.Null(store.ReserveWorkerError);
        Assert.Equal(0, store.GetStatistics().UnfreedObjects);
    }

    [Fact]
    public void Store_ReserveOff_StartsNoWorker()
    {
        using var store = TestBodies.CreateStore(memoryLimit: 8 << 20, warmReserve: 0);
        Assert.True(TestBodies.Put(store, "k", TestBodies.Create(Body, 1)));

        Assert.Null(store.ReserveWorker);
        Assert.Equal(0, store.GetStatistics().ReserveMisses);
    }

    [Fact]
    public void TryCommit_ReserveOn_BatchSealedByTheWorker()
    {
        using var store = new PageBlockStore(new PageBlockStoreOptions
        {
            MemoryLimit = new ByteSize(8 << 20),
            WarmReserve = new ByteSize(1 << 20),
            TrackLeases = true,
            SealBatchSize = 4,
            SealDelay = TimeSpan.FromSeconds(1),
        });
        for (var i = 0; i < 4; i++)
        {
            TestBodies.Put(store, "k" + i, TestBodies.Create(20_000, i));
        }

        Assert.True(store.TryLease("k0", out var lease));
        using (lease)
        {
            // Well before the 1 s delay: the fourth commit handed the batch to the worker.
            Assert.True(SpinWait.SpinUntil(() => lease.IsSealed, TimeSpan.FromMilliseconds(900)));
        }
    }

    [Fact]
    public void EnsureRoom_EverythingLeased_ReserveGivesWayBeforeFailing()
    {
        // 1 MiB limit: a reserve of 2 blocks (an eighth), headroom 1 block; 12 leased bodies fill 12 blocks.
        using var store = TestBodies.CreateStore(memoryLimit: 1 << 20, warmReserve: 128 << 10, manualRefill: true);
        var leases = new List<BodyLease>();
        for (var i = 0; i < 12; i++)
        {
            Assert.True(TestBodies.Put(store, "k" + i, TestBodies.Create(Body, i)));
            Assert.True(store.TryLease("k" + i, out var lease));
            leases.Add(lease);
        }

        store.RefillReserve();
        Assert.Equal(128 << 10, store.GetStatistics().ReserveBytes);

        // 160 KiB more metadata fits only if a reserve block gives its memory back: every body is leased, so
        // evicting frees nothing.
        Assert.True(store.TryReplaceMetadata("k0", null, 160 << 10));

        var stats = store.GetStatistics();
        Assert.Equal(64 << 10, stats.ReserveBytes);
        Assert.True(stats.UsedBytes <= store.MemoryLimit);
        foreach (var lease in leases)
        {
            lease.Dispose();
        }
    }
}
