using Xunit;

namespace ZProxy.PageBlocks.Tests;

/// <summary>Seals are applied in batches (merged mprotect calls); freed pages are punched in batches before reuse.</summary>
public class SealBatchingTests
{
    [Fact]
    public void TryCommit_FewerThanBatch_UnsealedUntilTheBatchFills()
    {
        using var store = TestBodies.CreateStore(sealBatchSize: 4);
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
}
