using System.Globalization;
using ZProxy.Benchmarks.Simulation;
using ZProxy.PageBlocks;

namespace ZProxy.Benchmarks.Store;

/// <summary>The store's figures that are not timings: waste on the mixed workload, and SIEVE against LRU on Zipf traces.</summary>
public static class StoreReport
{
    public static void Write(TextWriter output)
    {
        // The bound is on rounding over body data: measured with the warm reserve off, then with the default
        // reserve (16 MiB here), whose pages are reported apart (reserve) and leave less room for bodies.
        foreach (var reserve in new[] { 0L, 16L << 20 })
        {
            var options = new PageBlockStoreOptions { MemoryLimit = new ByteSize(256L << 20), WarmReserve = new ByteSize(reserve) };
            using var store = new PageBlockStore(options);
            var stats = MixedSizeWorkload.Fill(store, bodies: 20_000, seed: 1);
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Waste, mixed sizes (log-normal median {MixedSizeWorkload.MedianBytes} B, sigma {MixedSizeWorkload.Sigma}; 20% unknown length), 20000 bodies into a 256 MiB store, warm reserve {reserve >> 20} MiB:"));
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  data {stats.DataBytes} B, bodies {stats.BodyBytes} B, wasted {stats.WastedBytes} B = {stats.WasteRatio:P2}; objects {stats.Objects}, evictions {stats.Evictions}, used {stats.UsedBytes} of {stats.LimitBytes} B, reserve {stats.ReserveBytes} B, reserve misses {stats.ReserveMisses}"));
        }

        output.WriteLine();
        output.WriteLine("Hit ratio on Zipf traces (100000 objects, 2000000 requests, first 10% warm-up):");
        output.WriteLine("| alpha | cache | LRU | SIEVE | SIEVE - LRU |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var r in HitRatioSimulation.Run(100_000, 2_000_000, [0.8, 1.0], [0.01, 0.10]))
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Alpha:0.0} | {r.CacheFraction:P0} | {r.Lru:P2} | {r.Sieve:P2} | {(r.Sieve - r.Lru) * 100:+0.00;-0.00} pt |"));
        }
    }
}
