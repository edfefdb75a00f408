using Xunit;

namespace ZProxy.PageBlocks.Tests;

/// <summary>Seals are applied in batches (merged mprotect calls); freed pages are punched in batches before reuse.</summary>
public class SealBatchingTests
{
    [Fact]
    public void TryCommit_FewerThanBatch_UnsealedUntilTheBatchFills()
    {
        // The longest seal delay: on a loaded machine the default 5 ms can pass between two commits and seal the batch early.
        using var store = TestBodies.CreateStore(sealBatchSize: 4, sealDelay: TimeSpan.FromSeconds(1));
        for (var i = 0; i < 3; i++)
        {
            TestBodies.Put(store, "k" + i, TestBodies.Create(20_000, i));
        }

        Assert.True(store.TryLease("k0", out var first));
        Assert.False(first.IsSealed);
        Assert.Equal(3, store.GetStatistics().PendingSeals);

        TestBodies.Put(store, "k3", TestBodies.Create(20_000, 3));

        Assert.True(first.IsSealed);
        Assert.Equal(0, store.GetStatistics().PendingSeals);
        first.Dispose();
    }

    [Fact]
    public void TryCommit_QuietStore_SealedWithinTheDelay()
    {
        using var store = new PageBlockStore(new PageBlockStoreOptions
        {
            MemoryLimit = new ByteSize(4 << 20),
            TrackLeases = true,
            SealBatchSize = 100,
            SealDelay = TimeSpan.FromMilliseconds(1),
        });
        TestBodies.Put(store, "k", TestBodies.Create(20_000, 1));
        Assert.True(store.TryLease("k", out var lease));

        Assert.True(SpinWait.SpinUntil(() => lease.IsSealed, TimeSpan.FromSeconds(10)));
        lease.Dispose();
    }

    [Fact]
    public void Free_BodyRemoved_ChargedUntilPunchedThenPoolReused()
    {
        using var store = TestBodies.CreateStore(memoryLimit: 1 << 20);
        TestBodies.Put(store, "k", TestBodies.Create(64 * 1024, 1));
        store.Remove("k");

        var freed = store.GetStatistics();
        Assert.Equal(64 * 1024, freed.FreedUnpunchedBytes);
        Assert.Equal(64 * 1024, freed.UsedBytes);

        // Filling the store forces the punch (the budget counts unpunched pages) instead of an eviction.
        for (var i = 0; i < 15; i++)
        {
            TestBodies.Put(store, "f" + i, TestBodies.Create(64 * 1024, i));
        }

        var full = store.GetStatistics();
        Assert.Equal(0, full.Evictions);
        Assert.Equal(0, full.FreedUnpunchedBytes);
        Assert.True(full.UsedBytes <= store.MemoryLimit);
    }

    [Fact]
    public void ReserveWorkerSeal_BodiesFreedWhileInFlight_NotPunchedUntilSealedThenReusable()
    {
        // With the reserve on, the worker seals a batch with mprotect calls made outside the store lock.
        using var store = TestBodies.CreateStore(memoryLimit: 4 << 20, sealBatchSize: 4, warmReserve: 1 << 20, manualRefill: true,
            sealDelay: TimeSpan.FromSeconds(1));
        for (var i = 0; i < 4; i++)
        {
            TestBodies.Put(store, "k" + i, TestBodies.Create(64 * 1024, i));
        }

        Assert.Equal(4, store.GetStatistics().PendingSeals);
        var ranInFlight = false;
        store.SealInFlightHook = () =>
        {
            // Writers keep the lock meanwhile: free two bodies of the batch and ask for every punch now.
            Assert.True(store.Remove("k0"));
            Assert.True(store.Remove("k1"));
            store.FlushPending();

            // Punched and made writable now, their pages could be reused and then sealed under a writer.
            Assert.Equal(2 * 64 * 1024, store.GetStatistics().FreedUnpunchedBytes);
            Assert.True(store.TryLease("k2", out var during));
            Assert.False(during.IsSealed);
            during.Dispose();
            ranInFlight = true;
        };

        store.RefillReserve();
        store.SealInFlightHook = null;
        Assert.True(ranInFlight);
        Assert.True(store.TryLease("k2", out var sealedLease));
        Assert.True(sealedLease.IsSealed);
        sealedLease.Dispose();

        // The freed pages are writable again: new bodies fill the store (reusing them) and read back intact.
        FlushThenFillAndReadBack(store, "n");
    }

    [Fact]
    public void ReserveWorkerPunch_FreesAndFlushesMeanwhile_BlockLeftToThePunchAndNeverReusedUnderIt()
    {
        // With the reserve on, the worker punches freed pages with fallocate and mprotect calls made outside the
        // store lock. Two 32 KiB bodies share each 64 KiB pageblock; 16 pageblocks, a 2-block reserve.
        const int Half = 32 * 1024;
        using var store = TestBodies.CreateStore(memoryLimit: 1 << 20, warmReserve: 128 << 10, manualRefill: true);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(TestBodies.Put(store, "a" + i, TestBodies.Create(Half, i)));
            Assert.True(TestBodies.Put(store, "b" + i, TestBodies.Create(Half, 10 + i)));
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.True(store.Remove("a" + i));
        }

        var written = new List<(string Key, byte[] Body)>();
        var ranInFlight = false;
        store.PunchInFlightHook = () =>
        {
            // The other half of each block is freed meanwhile, which empties it: a flush now must leave it to
            // the punch in flight. Punched and pooled here, it could be reused and then zeroed by that punch.
            for (var i = 0; i < 4; i++)
            {
                Assert.True(store.Remove("b" + i));
            }

            store.FlushPending();
            Assert.Equal(8 * Half, store.GetStatistics().FreedUnpunchedBytes);

            // Writers meanwhile get other pages (evicting if they must).
            for (var i = 0; i < 8; i++)
            {
                var body = TestBodies.Create(64 * 1024, 100 + i);
                Assert.True(TestBodies.Put(store, "n" + i, body));
                written.Add(("n" + i, body));
            }

            ranInFlight = true;
        };

        store.RefillReserve();
        store.PunchInFlightHook = null;
        Assert.True(ranInFlight);
        Assert.True(store.GetStatistics().UsedBytes <= store.MemoryLimit);
        foreach (var (key, body) in written)
        {
            if (store.TryLease(key, out var lease))
            {
                Assert.Equal(body, TestBodies.Read(lease));
                lease.Dispose();
            }
        }

        // The halves freed meanwhile are punched by the next flush; then the store fills again, intact.
        FlushThenFillAndReadBack(store, "m");
    }

    [Fact]
    public async Task FlushPending_WorkerPunchInFlight_ReturnsOnlyOnceItLanded()
    {
        using var store = TestBodies.CreateStore(memoryLimit: 1 << 20, warmReserve: 128 << 10, manualRefill: true);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(TestBodies.Put(store, "k" + i, TestBodies.Create(64 * 1024, i)));
            Assert.True(store.Remove("k" + i));
        }

        using var inFlight = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        store.PunchInFlightHook = () =>
        {
            inFlight.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        };

        // The worker's pass on its own thread, held inside its punch.
        var worker = Task.Factory.StartNew(() => store.RefillReserve(), TaskCreationOptions.LongRunning);
        Assert.True(inFlight.Wait(TimeSpan.FromSeconds(30)));

        var flush = Task.Factory.StartNew(store.FlushPending, TaskCreationOptions.LongRunning);
        await Task.Delay(200);
        Assert.False(flush.IsCompleted);
        Assert.Equal(4 * 64 * 1024, store.GetStatistics().FreedUnpunchedBytes);

        release.Set();
        await flush.WaitAsync(TimeSpan.FromSeconds(30));
        await worker.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, store.GetStatistics().FreedUnpunchedBytes);
    }

    /// <summary>Punches everything freed, then writes 40 bodies of 64 KiB (more than the store holds) and reads each back.</summary>
    private static void FlushThenFillAndReadBack(PageBlockStore store, string prefix)
    {
        store.FlushPending();
        Assert.Equal(0, store.GetStatistics().FreedUnpunchedBytes);
        for (var i = 0; i < 40; i++)
        {
            var body = TestBodies.Create(64 * 1024, 200 + i);
            Assert.True(TestBodies.Put(store, prefix + i, body));
            Assert.True(store.TryLease(prefix + i, out var lease));
            Assert.Equal(body, TestBodies.Read(lease));
            lease.Dispose();
        }
    }
}
