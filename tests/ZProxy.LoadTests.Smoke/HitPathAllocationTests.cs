using ZProxy.Benchmarks.Caching;

namespace ZProxy.LoadTests.Smoke;

/// <summary>
/// The cache's hit path allocates nothing in steady state: the same in-process hit as
/// <see cref="HitPathBenchmarks"/> (CacheMiddleware on a reused context with Kestrel's header
/// collections: key, lookup, lease, reuse decision, status and headers, body, release), measured with
/// the GC's per-thread counter. A per-hit string, closure, boxed value or array anywhere on that path
/// shows up in every round.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public class HitPathAllocationTests
{
    private const int HitsPerRound = 500;

    /// <summary>How long the JIT gets to move the path to its optimised tier on a busy machine.</summary>
    private static readonly TimeSpan TierUpPatience = TimeSpan.FromSeconds(15);

    public static TheoryData<string, string> Hits()
    {
        var data = new TheoryData<string, string>();
        foreach (var shape in new[] { "plain", "query", "vary" })
        {
            foreach (var method in new[] { nameof(HitPathBenchmarks.Get), nameof(HitPathBenchmarks.Head), nameof(HitPathBenchmarks.NotModified) })
            {
                data.Add(shape, method);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Hits))]
    public void CacheHit_SteadyState_AllocatesNothing(string shape, string method)
    {
        var benchmark = new HitPathBenchmarks { Shape = shape };
        benchmark.Setup();
        try
        {
            var hit = method switch
            {
                nameof(HitPathBenchmarks.Get) => (Func<int>)benchmark.Get,
                nameof(HitPathBenchmarks.Head) => benchmark.Head,
                _ => benchmark.NotModified,
            };
            var expected = method == nameof(HitPathBenchmarks.NotModified) ? 304 : 200;

            // Rounds, not one measurement: until the JIT has compiled the path at its optimised tier, calls
            // allocate for the runtime's own bookkeeping (96 B a call was seen before tier-up, none after),
            // and a round that crosses a second boundary formats that second's Age and Cache-Status once
            // per entry. Neither lasts; a per-hit allocation of the path's own adds to every round, so some
            // round after warm-up must allocate nothing.
            var perRound = new List<long>();
            var deadline = DateTime.UtcNow + TierUpPatience;
            for (var round = 0; round < 3 || DateTime.UtcNow < deadline; round++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < HitsPerRound; i++)
                {
                    if (hit() != expected)
                    {
                        Assert.Fail($"A {method} hit answered something other than {expected}.");
                    }
                }

                perRound.Add(GC.GetAllocatedBytesForCurrentThread() - before);
                if (perRound[^1] == 0 && round >= 2)
                {
                    break;
                }

                // Gives the JIT's background tier-up (queued after 30 calls, 100 ms later) time to finish.
                Thread.Sleep(50);
            }

            Assert.True(perRound.Min() == 0,
                $"{shape} {method}: hits allocated in every round; bytes per round of {HitsPerRound} hits: "
                + $"{string.Join(", ", perRound.TakeLast(10))} (last 10 of {perRound.Count}; at least {perRound.Min() / HitsPerRound} B per hit).");
        }
        finally
        {
            benchmark.Cleanup();
        }
    }
}

/// <summary>
/// Allocation counts are taken alone in the process: while another test's server or benchmark runs
/// beside them, process-wide listeners it installs (an OpenTelemetry tracer's ActivityListener, event
/// listeners) make every request in the process allocate, and the process-wide counter also counts
/// that other test's own allocations.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    public const string Name = "Allocation measurements";
}
