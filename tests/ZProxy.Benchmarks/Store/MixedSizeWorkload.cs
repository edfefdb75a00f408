using ZProxy.PageBlocks;

namespace ZProxy.Benchmarks.Store;

/// <summary>
/// A realistic mix of web response sizes for measuring the store's waste: log-normal with a median of
/// 8 KiB and sigma 1.8, so about a third of the bodies are below the 4 KiB small-object threshold and the
/// mean is about 40 KiB, close to the HTTP Archive's average bytes per request (about 2.5 MB over about 70
/// requests per page). A fifth of the bodies arrive without Content-Length (chunked).
/// </summary>
public static class MixedSizeWorkload
{
    public const int MedianBytes = 8 * 1024;
    public const double Sigma = 1.8;
    public const int MaxBytes = 8 << 20;

    private static readonly byte[] Pattern = CreatePattern();

    public static int NextSize(Random random)
    {
        // Box-Muller for a standard normal.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        var size = MedianBytes * Math.Exp(Sigma * normal);
        return (int)Math.Clamp(size, 1, MaxBytes);
    }

    /// <summary>Writes <paramref name="bodies"/> bodies under fresh keys (evicting once full) and returns the store's accounting.</summary>
    public static PageBlockStoreStatistics Fill(PageBlockStore store, int bodies, int seed, double unknownLengthFraction = 0.2)
    {
        var random = new Random(seed);
        for (var i = 0; i < bodies; i++)
        {
            var size = NextSize(random);
            var unknown = random.NextDouble() < unknownLengthFraction;
            using var writer = store.CreateWriter(unknown ? null : size);
            var remaining = size;
            while (remaining > 0)
            {
                var chunk = Math.Min(remaining, Pattern.Length);
                if (!writer.TryAppend(Pattern.AsSpan(0, chunk)))
                {
                    break;
                }

                remaining -= chunk;
            }

            writer.TryCommit("mixed/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null, 256);
        }

        return store.GetStatistics();
    }

    private static byte[] CreatePattern()
    {
        var pattern = new byte[16 * 1024];
        new Random(7).NextBytes(pattern);
        return pattern;
    }
}
