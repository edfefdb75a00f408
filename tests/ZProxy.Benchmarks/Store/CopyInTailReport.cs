using System.Diagnostics;
using System.Globalization;
using ZProxy.PageBlocks;

namespace ZProxy.Benchmarks.Store;

/// <summary>
/// The distribution behind <see cref="CopyInWarmReserveBenchmarks"/>: BenchmarkDotNet times whole iterations, so
/// its figure is a mean, and a few writers that stall (on the store lock, or behind the worker's syscalls) weigh
/// in it as much as all the others. This times every 64 KiB copy-in on its own, same set-up (a full 32 MiB
/// reserve at the start of each lap of 128 bodies, keys reused so freed bodies keep the worker punching), for
/// each <see cref="ReserveWorker"/> mode, interleaved, and a 64 KiB memcpy into a 64 MiB ring timed the same
/// way beside them, so the ratio the store's figure asks for comes from one run.
/// </summary>
public static class CopyInTailReport
{
    private const int BodySize = 64 * 1024;
    private const int BodiesPerLap = 128;
    private const int WarmupLaps = 10;
    private const int Laps = 60;
    private const int Rounds = 2;

    /// <summary>Writes the table; fewer laps (the smoke test's) only check that it still runs.</summary>
    public static void Write(TextWriter output, int warmupLaps = WarmupLaps, int laps = Laps)
    {
        output.WriteLine("Copy-in of 64 KiB bodies, each timed (known length, warm reserve 32 MiB, store 256 MiB):");
        output.WriteLine("| worker | median | p90 | p99 | mean | memcpy mean | memcpy / copy-in (means) | bodies over 50 us | their share of the time | lock contentions |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|");

        var source = new byte[BodySize];
        new Random(1).NextBytes(source);
        var ring = new byte[BodySize * 1024];
        Array.Fill(ring, (byte)1);

        // A first store, not reported, so the JIT's tiering is done before anything is timed.
        Run(ReserveWorker.Deferred, source, ring, warmupLaps, laps);
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var worker in Enum.GetValues<ReserveWorker>())
            {
                output.WriteLine(Run(worker, source, ring, warmupLaps, laps));
            }
        }
    }

    private static string Run(ReserveWorker worker, byte[] source, byte[] ring, int warmupLaps, int laps)
    {
        var keys = Enumerable.Range(0, 1024).Select(i => "copy/" + i).ToArray();
        using var store = CopyInStore.Create(worker);

        var times = new List<double>(laps * BodiesPerLap);
        double memcpyTotal = 0;
        long contentions = 0;
        var next = 0;
        for (var lap = 0; lap < warmupLaps + laps; lap++)
        {
            CopyInStore.AwaitRefilledReserve(store, worker);
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

                // The baseline, timed body by body in the same lap once the worker is done (so it slows only the
                // copy-ins; without a worker thread, what was asked for waits for the next lap's refill): a memcpy
                // of the same source into a cold ring.
                if (worker != ReserveWorker.Idle)
                {
                    SpinWait.SpinUntil(() => store.IsReserveSettled);
                }

                for (var i = 0; i < BodiesPerLap; i++)
                {
                    var slot = ((lap * BodiesPerLap) + i) & 1023;
                    var started = Stopwatch.GetTimestamp();
                    source.CopyTo(ring.AsSpan(slot * BodySize, BodySize));
                    memcpyTotal += Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                }
            }
        }

        times.Sort();
        var total = times.Sum();
        var mean = total / times.Count;
        var memcpyMean = memcpyTotal / times.Count;
        var slow = times.Where(t => t > 50).ToList();
        var name = worker.ToString().ToLowerInvariant();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {times[times.Count / 2]:F1} us | {times[times.Count * 9 / 10]:F1} us | {times[times.Count * 99 / 100]:F1} us | {mean:F1} us | {memcpyMean:F1} us | {memcpyMean / mean:P0} | {slow.Count} of {times.Count} | {slow.Sum() / total:P0} | {contentions} |");
    }
}
