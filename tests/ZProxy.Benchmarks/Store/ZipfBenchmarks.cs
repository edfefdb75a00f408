using BenchmarkDotNet.Attributes;
using ZProxy.Benchmarks.Simulation;

namespace ZProxy.Benchmarks.Store;

/// <summary>
/// SIEVE (the store's policy) against LRU on Zipf traces: time per trace, and the hit ratios printed at
/// cleanup. The hit ratios at full size come from <c>report</c>.
/// </summary>
public class ZipfBenchmarks
{
    private const int Objects = 20_000;
    private const int Requests = 200_000;
    private int[] _trace = [];
    private double _lru = double.NaN;
    private double _sieve = double.NaN;

    [Params(0.8, 1.0)]
    public double Alpha { get; set; }

    [Params(0.01, 0.10)]
    public double CacheFraction { get; set; }

    [GlobalSetup]
    public void Setup() => _trace = ZipfGenerator.Trace(Objects, Alpha, Requests, seed: 42);

    [Benchmark(Baseline = true)]
    public double Lru() => _lru = HitRatioSimulation.HitRatio(new LruSimulator(Capacity), _trace, Requests / 10);

    [Benchmark]
    public double Sieve() => _sieve = HitRatioSimulation.HitRatio(new SieveSimulator(Capacity), _trace, Requests / 10);

    [GlobalCleanup]
    public void Cleanup()
    {
        // Each benchmark runs in its own process, so only the policy just measured has a value here.
        var (policy, ratio) = double.IsNaN(_lru) ? ("SIEVE", _sieve) : ("LRU", _lru);
        Console.WriteLine($"// hit ratio alpha {Alpha} cache {CacheFraction:P0} {policy}: {ratio:P2}");
    }

    private int Capacity => Math.Max(1, (int)(Objects * CacheFraction));
}
