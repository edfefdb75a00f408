namespace ZProxy.LoadTests.Scenarios.Scenario;

/// <summary>Draws ranks 0..n-1 with probability proportional to 1/(rank+1)^s (inverse CDF, binary search).</summary>
internal sealed class ZipfSampler
{
    private readonly double[] _cdf;

    public ZipfSampler(int n, double exponent)
    {
        _cdf = new double[n];
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            sum += 1.0 / Math.Pow(i + 1, exponent);
            _cdf[i] = sum;
        }

        for (var i = 0; i < n; i++)
        {
            _cdf[i] /= sum;
        }
    }

    public int Count => _cdf.Length;

    public int Next(Random random)
    {
        var u = random.NextDouble();
        var index = Array.BinarySearch(_cdf, u);
        return Math.Min(index < 0 ? ~index : index, _cdf.Length - 1);
    }
}
