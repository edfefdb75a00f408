using Xunit;
using Xunit.Abstractions;
using ZProxy.Benchmarks.Simulation;
using ZProxy.Benchmarks.Store;

namespace ZProxy.PageBlocks.Tests;

/// <summary>The store's policy (SIEVE) against LRU on Zipf traces, and waste on the mixed-size workload.</summary>
public class HitRatioTests(ITestOutputHelper output)
{
    [Fact]
    public void Sieve_ZipfTraces_BeatsLruAtEveryAlphaAndCacheSize()
    {
        var results = HitRatioSimulation.Run(objects: 20_000, requests: 400_000, alphas: [0.8, 1.0], cacheFractions: [0.01, 0.10]);

        foreach (var r in results)
        {
            output.WriteLine($"alpha {r.Alpha} cache {r.CacheFraction:P0}: LRU {r.Lru:P2} SIEVE {r.Sieve:P2}");
            Assert.True(r.Sieve > r.Lru, $"alpha {r.Alpha} cache {r.CacheFraction}: SIEVE {r.Sieve} <= LRU {r.Lru}");
        }

        Assert.Equal(4, results.Count);
    }

    [Fact]
    public void MixedSizeWorkload_SteadyStateUnderEviction_WasteUnderOneSixteenth()
    {
        // The bound is on rounding to size classes and pages, over the memory bodies hold. The warm reserve is
        // off here: with it, the same rounding sits over 5 MiB less body data (reserve plus headroom at 32 MiB),
        // and its pages are reported on their own (ReserveBytes), not as waste.
        using var store = new PageBlockStore(new PageBlockStoreOptions { MemoryLimit = new ByteSize(32L << 20), TrackLeases = false, WarmReserve = new ByteSize(0) });

        var stats = MixedSizeWorkload.Fill(store, bodies: 2000, seed: 11);

        output.WriteLine(stats.ToString());
        Assert.True(stats.Evictions > 0);
        Assert.True(stats.WasteRatio < 0.0625, $"waste {stats.WasteRatio:P2}");
    }
}
