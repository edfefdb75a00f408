using Xunit;

namespace ZProxy.PageBlocks.Tests;

/// <summary>
/// Spare writers: with the reserve on, the worker allocates writers (and their stored objects) ahead, so a fill's
/// copy-in allocates nothing; a spare is used once and never comes back.
/// </summary>
public class SpareWriterTests
{
    private const int Body = 64 << 10;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CopyIn_AfterARefill_AllocatesNothing(bool knownLength)
    {
        using var store = CreateStore(manualRefill: true);
        var body = TestBodies.Create(Body, 1);

        // Two laps first, as long as the measured one: the first commit of each key adds its index entry
        // (replacing it later allocates nothing), and the store's seal lists (two, swapped at each flush) and
        // punch list grow to the lap's length once.
        var keys = new[] { "k0", "k1", "k2", "k3" };
        for (var lap = 0; lap < 2; lap++)
        {
            store.RefillReserve();
            for (var i = 0; i < 64; i++)
            {
                Assert.True(Write(store, keys[i % 4], body, knownLength));
            }
        }

        store.RefillReserve();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 64; i++)
        {
            Write(store, keys[i % 4], body, knownLength);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(store.TryLease("k3", out var lease));
        using (lease)
        {
            // An unknown length is written in two runs (4, then 16 pages): the body is two segments.
            var segments = 0;
            foreach (var segment in lease.Segments)
            {
                segments++;
            }

            Assert.Equal(knownLength ? 1 : 2, segments);
            Assert.True(System.Buffers.BuffersExtensions.ToArray(lease.Body).AsSpan().SequenceEqual(body));
        }
    }

    [Fact]
    public void Worker_KeepsSparesReady()
    {
        using var store = CreateStore(manualRefill: false);

        // The first writer starts the worker; its pass makes the spares. Once the body is sealed (the last work
        // it asked for), nothing else is pending.
        Assert.True(TestBodies.Put(store, "start", TestBodies.Create(Body, 1)));
        Assert.True(store.TryLease("start", out var lease));
        using (lease)
        {
            Assert.True(SpinWait.SpinUntil(() => lease.IsSealed && store.IsReserveSettled && store.SpareWriterCount == 256, TimeSpan.FromSeconds(10)));
        }

        // A writer is a spare: one fewer, and no pass asked for while three quarters are left.
        store.CreateWriter(Body).Dispose();
        Assert.Equal(255, store.SpareWriterCount);

        // Taking more than three quarters asks the worker for a pass, which tops the spares up again.
        for (var i = 0; i < 199; i++)
        {
            store.CreateWriter(Body).Dispose();
        }

        Assert.True(SpinWait.SpinUntil(() => store.SpareWriterCount == 256, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Spare_UsedOnce_NeverHandedOutAgain()
    {
        using var store = CreateStore(manualRefill: true);
        store.RefillReserve();
        var first = store.CreateWriter(Body);
        Assert.True(first.TryAppend(TestBodies.Create(Body, 1)));
        Assert.True(first.TryCommit("k", null, 0));
        first.Dispose();

        // The body is freed (replaced, then purged); more writers than the spares held come after it.
        Assert.True(TestBodies.Put(store, "k", TestBodies.Create(Body, 2)));
        Assert.True(store.Remove("k"));
        for (var round = 0; round < 3; round++)
        {
            store.RefillReserve();
            for (var i = 0; i < 256; i++)
            {
                var writer = store.CreateWriter(Body);
                Assert.NotSame(first, writer);
                writer.Dispose();
            }
        }
    }

    [Fact]
    public void ReserveOff_NoSpares_WritersStillWork()
    {
        using var store = TestBodies.CreateStore();
        Assert.True(TestBodies.Put(store, "k", TestBodies.Create(Body, 1)));
        store.FlushPending();
        Assert.Equal(0, store.SpareWriterCount);
        Assert.True(store.TryLease("k", out var lease));
        lease.Dispose();
    }

    private static PageBlockStore CreateStore(bool manualRefill) => new(new PageBlockStoreOptions
    {
        MemoryLimit = new ByteSize(64 << 20),
        WarmReserve = new ByteSize(8 << 20),
        ManualReserveRefill = manualRefill,

        // Lease tracking allocates a record per lease; the allocation test leases nothing while it measures.
        TrackLeases = !manualRefill,
    });

    private static bool Write(PageBlockStore store, string key, byte[] body, bool knownLength = true)
    {
        using var writer = store.CreateWriter(knownLength ? body.Length : null);
        return writer.TryAppend(body) && writer.TryCommit(key, null, 0);
    }
}
