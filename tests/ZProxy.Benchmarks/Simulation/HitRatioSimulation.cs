namespace ZProxy.Benchmarks.Simulation;

/// <summary>Runs a Zipf trace through LRU and SIEVE and reports their hit ratios.</summary>
public static class HitRatioSimulation
{
    /// <summary>One row of the comparison.</summary>
    public readonly record struct Result(double Alpha, double CacheFraction, int Objects, int Requests, double Lru, double Sieve);

    public static double HitRatio(ICacheSimulator cache, int[] trace, int warmup)
    {
        var hits = 0;
        for (var i = 0; i < trace.Length; i++)
        {
            if (cache.Access(trace[i]) && i >= warmup)
            {
                hits++;
            }
        }

        return (double)hits / (trace.Length - warmup);
    }

    /// <summary>
    /// Compares the policies for each alpha and cache size (as a fraction of the <paramref name="objects"/>
    /// in the working set). The first tenth of the trace warms the caches and is not counted.
    /// </summary>
    public static IReadOnlyList<Result> Run(int objects, int requests, double[] alphas, double[] cacheFractions, int seed = 42)
    {
        var results = new List<Result>();
        foreach (var alpha in alphas)
        {
            var trace = ZipfGenerator.Trace(objects, alpha, requests, seed);
            foreach (var fraction in cacheFractions)
            {
                var capacity = Math.Max(1, (int)(objects * fraction));
                var warmup = requests / 10;
                var lru = HitRatio(new LruSimulator(capacity), trace, warmup);
                var sieve = HitRatio(new SieveSimulator(capacity), trace, warmup);
                results.Add(new Result(alpha, fraction, objects, requests, lru, sieve));
            }
        }

        return results;
    }
}
