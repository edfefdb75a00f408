using BenchmarkDotNet.Attributes;
using ZProxy.PageBlocks;

namespace ZProxy.Benchmarks.Store;

/// <summary>The hit path's store part: lookup by key, lease, release. Targets: 0 B allocated, median under 100 ns.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class LeaseBenchmarks
{
    private const int Keys = 4096;

    private PageBlockStore? _store;
    private string[] _keys = [];
    private char[][] _keyChars = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _store = new PageBlockStore(new PageBlockStoreOptions { MemoryLimit = new ByteSize(64L << 20), TrackLeases = false });
        _keys = Enumerable.Range(0, Keys).Select(i => "https://example.test/assets/" + i + ".js").ToArray();
        _keyChars = _keys.Select(k => k.ToCharArray()).ToArray();
        var body = new byte[1500];
        foreach (var key in _keys)
        {
            using var writer = _store.CreateWriter(body.Length);
            writer.TryAppend(body);
            writer.TryCommit(key, key, 64);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _store?.Dispose();

    [Benchmark(Baseline = true)]
    public long LookupLeaseRelease_SpanKey()
    {
        var key = _keyChars[_next++ & (Keys - 1)];
        if (_store!.TryLease(key.AsSpan(), out var lease))
        {
            var length = lease.Length;
            lease.Dispose();
            return length;
        }

        return -1;
    }

    [Benchmark]
    public long LookupLeaseRelease_StringKey()
    {
        if (_store!.TryLease(_keys[_next++ & (Keys - 1)], out var lease))
        {
            var length = lease.Length;
            lease.Dispose();
            return length;
        }

        return -1;
    }

    [Benchmark]
    public long LookupLeaseEnumerateRelease()
    {
        if (_store!.TryLease(_keys[_next++ & (Keys - 1)], out var lease))
        {
            long total = 0;
            foreach (var segment in lease.Segments)
            {
                total += segment.Memory.Length + segment.FileOffset;
            }

            lease.Dispose();
            return total;
        }

        return -1;
    }
}
