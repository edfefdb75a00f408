namespace ZProxy.Benchmarks.Simulation;

/// <summary>
/// Draws keys 0..n-1 with P(k) proportional to 1 / (k+1)^alpha (Zipf's law, the usual model of web
/// object popularity), by binary search in the cumulative distribution. Deterministic for a seed.
/// </summary>
public sealed class ZipfGenerator
{
    private readonly double[] _cumulative;
    private readonly Random _random;

    public ZipfGenerator(int n, double alpha, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        _cumulative = new double[n];
        double sum = 0;
        for (var k = 0; k < n; k++)
        {
            sum += 1.0 / Math.Pow(k + 1, alpha);
            _cumulative[k] = sum;
        }

        for (var k = 0; k < n; k++)
        {
            _cumulative[k] /= sum;
        }

        _random = new Random(seed);
    }

    public int Next()
    {
        var u = _random.NextDouble();
        var index = Array.BinarySearch(_cumulative, u);
        return index >= 0 ? index : Math.Min(~index, _cumulative.Length - 1);
    }

    /// <summary>
    /// A trace whose key ids are shuffled, so popularity is not correlated with key order (and with
    /// insertion order in the caches).
    /// </summary>
    public static int[] Trace(int n, double alpha, int length, int seed)
    {
        var generator = new ZipfGenerator(n, alpha, seed);
        var permutation = Enumerable.Range(0, n).ToArray();
        new Random(seed ^ 0x5f3759df).Shuffle(permutation);
        var trace = new int[length];
        for (var i = 0; i < length; i++)
        {
            trace[i] = permutation[generator.Next()];
        }

        return trace;
    }
}
