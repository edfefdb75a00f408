using BenchmarkDotNet.Attributes;
using ZProxy.PageBlocks;

namespace ZProxy.Benchmarks.Store;

/// <summary>
/// Writes the mixed-size workload (<see cref="MixedSizeWorkload"/>) into a fresh store under eviction
/// pressure; the waste itself is printed at cleanup (target under 6.25 %) and by <c>report</c>.
/// </summary>
[MemoryDiagnoser]
public class WasteBenchmarks
{
    private double _lastWaste = double.NaN;

    [Benchmark]
    public double MixedSizeFill1000()
    {
        using var store = new PageBlockStore(new PageBlockStoreOptions { MemoryLimit = new ByteSize(16L << 20), TrackLeases = false });
        var stats = MixedSizeWorkload.Fill(store, bodies: 1000, seed: 3);
        _lastWaste = stats.WasteRatio;
        return _lastWaste;
    }

    [GlobalCleanup]
    public void Cleanup() => Console.WriteLine($"// WasteRatio of the last mixed-size fill: {_lastWaste:P2}");
}
