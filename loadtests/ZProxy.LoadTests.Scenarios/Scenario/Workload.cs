using System.Collections.Concurrent;
using ZProxy.LoadTests.Origin;

namespace ZProxy.LoadTests.Scenarios.Scenario;

/// <summary>
/// The objects a scenario requests: ids, sizes, paths and expected checksums. Working-set keys are
/// 0..Keys-1, short-lived ones start at <see cref="RevalidateBase"/>, never-seen ones at
/// <see cref="UniqueBase"/> (a per-run counter, so no two requests share them).
/// </summary>
internal sealed class Workload
{
    public const long RevalidateBase = 1_000_000_000L;
    public const long UniqueBase = 1_000_000_000_000L;

    private readonly ScenarioOptions _options;
    private readonly double[] _sizeCdf;
    private readonly ConcurrentDictionary<(long, int), byte[]> _hashes = new();
    private readonly ZipfSampler _zipf;
    private readonly ZipfSampler _revalidateZipf;
    private readonly double[] _mixCdf;
    private long _nextUnique;

    public Workload(ScenarioOptions options)
    {
        _options = options;
        _zipf = new ZipfSampler(options.Keys, options.ZipfExponent);
        _revalidateZipf = new ZipfSampler(options.RevalidateKeys, options.ZipfExponent);
        _sizeCdf = Cdf(options.Sizes.Select(s => s.Weight));
        _mixCdf = Cdf(options.Mix.Select(m => m.Weight));
        _nextUnique = UniqueBase + ((long)options.Seed << 32) + (DateTime.UtcNow.Ticks & 0xFFFFFFF);
    }

    /// <summary>The body size of object <paramref name="id"/>: fixed by the id, drawn from the size weights.</summary>
    public int SizeOf(long id)
    {
        var u = (LoadTestContent.ObjectSeed(id, _options.Seed) >> 11) * (1.0 / (1UL << 53));
        for (var i = 0; i < _sizeCdf.Length; i++)
        {
            if (u < _sizeCdf[i])
            {
                return _options.Sizes[i].Size;
            }
        }

        return _options.Sizes[^1].Size;
    }

    /// <summary>The bytes of all working-set objects: compare with the store's limit.</summary>
    public long WorkingSetBytes()
    {
        long total = 0;
        for (var id = 0; id < _options.Keys; id++)
        {
            total += SizeOf(id);
        }

        return total;
    }

    public Operation NextOperation(Random random)
    {
        var u = random.NextDouble();
        for (var i = 0; i < _mixCdf.Length; i++)
        {
            if (u < _mixCdf[i])
            {
                return _options.Mix[i].Operation;
            }
        }

        return _options.Mix[^1].Operation;
    }

    public long NextWorkingSetKey(Random random) => _zipf.Next(random);

    public long NextRevalidateKey(Random random) => RevalidateBase + _revalidateZipf.Next(random);

    public long NextUniqueKey() => Interlocked.Increment(ref _nextUnique);

    /// <summary>The request path (and query) of object <paramref name="id"/>.</summary>
    public string PathOf(long id) => id is >= RevalidateBase and < UniqueBase
        ? $"/obj/{id}/{SizeOf(id)}?ttl={_options.RevalidateTtlSeconds}"
        : $"/obj/{id}/{SizeOf(id)}";

    /// <summary>The SHA-256 every answer for <paramref name="id"/> must have (computed once per object).</summary>
    public byte[] ExpectedSha256(long id)
    {
        var size = SizeOf(id);
        // Unique keys are never asked twice: caching their hashes would only grow memory.
        return id >= UniqueBase
            ? LoadTestContent.ObjectSha256(id, size)
            : _hashes.GetOrAdd((id, size), static k => LoadTestContent.ObjectSha256(k.Item1, k.Item2));
    }

    private static double[] Cdf(IEnumerable<double> weights)
    {
        var w = weights.ToArray();
        var total = w.Sum();
        var cdf = new double[w.Length];
        var sum = 0.0;
        for (var i = 0; i < w.Length; i++)
        {
            sum += w[i];
            cdf[i] = sum / total;
        }

        return cdf;
    }
}
