using System.Diagnostics;
using System.Globalization;
using ZProxy.PageBlocks;

namespace ZProxy.Benchmarks.Store;

/// <summary>
/// The distribution behind <see cref="CopyInWarmReserveBenchmarks"/>: BenchmarkDotNet times whole iterations, so
/// its figure is a mean, and a few writers that stall (on the store lock, or behind the worker's syscalls) weigh
/// in it as much as all the others. This times every 64 KiB copy-in on its own, same set-up (a full 32 MiB
/// reserve at the start of each lap of 128 bodies, keys reused so freed bodies keep the worker punching), with
/// the worker thread running or idle.
/// </summary>
public static class CopyInTailReport
{
    private const int BodySize = 64 * 1024;
    private const int BodiesPerLap = 128;
    private const int WarmupLaps = 10;
    private const int Laps = 60;

    /// <summary>Writes the table; fewer laps (the smoke test's) only check that it still runs.</summary>
    public static void Write(TextWriter output, int warmupLaps = WarmupLaps, int laps = Laps)
    {
        output.WriteLine("Copy-in of 64 KiB bodies, each timed (known length, warm reserve 32 MiB, store 256 MiB):");
        output.WriteLine("| worker | median | p90 | p99 | mean | bodies over 50 us | their share of the time | lock contentions |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");

        // A first store, not reported, so the JIT's tiering is done before anything is timed.
        Run(workerIdle: false, warmupLaps, laps);
        foreach (var idle in new[] { false, true, false, true })
        {
            output.WriteLine(Run(idle, warmupLaps, laps));
        }
    }

    private static string Run(bool workerIdle, int warmupLaps, int laps)
    {
        var source = new byte[BodySize];
        new Random(1).NextBytes(source);
        var keys = Enumerable.Range(0, 1024).Select(i => "copy/" + i).ToArray();
        using var store = new PageBlockStore(new PageBlockStoreOptions
        {
            MemoryLimit = new ByteSize(256L << 20),
            WarmReserve = new ByteSize(32L << 20),
            TrackLeases = false,
            ManualReserveRefill = workerIdle,
        });

        var times = new List<double>(laps * BodiesPerLap);
        long contentions = 0;
        var next = 0;
        for (var lap = 0; lap < warmupLaps + laps; lap++)
        {
            store.RefillReserve();
            SpinWait.SpinUntil(() => store.IsReserveSettled);
            var contentionsBefore = Monitor.LockContentionCount;
            for (var i = 0; i < BodiesPerLap; i++)
            {
                var started = Stopwatch.GetTimestamp();
                CopyIn.Write(store, source, keys[next], knownLength: true);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                next = (next + 1) & (keys.Length - 1);
                if (lap >= warmupLaps)
                {
                    times.Add(elapsed);
                }
            }

            if (lap >= warmupLaps)
            {
                contentions += Monitor.LockContentionCount - contentionsBefore;
            }
        }

        times.Sort();
        var total = times.Sum();
        var slow = times.Where(t => t > 50).ToList();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"| {(workerIdle ? "idle" : "active")} | {times[times.Count / 2]:F1} us | {times[times.Count * 9 / 10]:F1} us | {times[times.Count * 99 / 100]:F1} us | {total / times.Count:F1} us | {slow.Count} of {times.Count} | {slow.Sum() / total:P0} | {contentions} |");
    }
}
