using BenchmarkDotNet.Attributes;
using ZProxy.Caching.Keys;

namespace ZProxy.Benchmarks.Caching;

/// <summary>
/// The primary cache key of every request. The hit path writes it into stack memory
/// (CacheKeyBuilder.Write, 0 B); the miss, purge and invalidation paths take it as a string
/// (CacheKeyBuilder.Build: the same writer and one string). Percent-encoding and sorted queries add
/// work that the Params show.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CacheKeyBenchmarks
{
    private readonly CacheKeyOptions _asIs = new();
    private readonly CacheKeyOptions _sorted = new() { QueryMode = QueryStringMode.Sorted, IgnoredQueryParameters = ["utm_source", "utm_medium"] };
    private string _path = "";
    private string? _query;

    /// <summary>plain: /assets/app.js; query: 3 parameters; escaped: percent-encoded path and query.</summary>
    [Params("plain", "query", "escaped")]
    public string Shape { get; set; } = "plain";

    [GlobalSetup]
    public void Setup()
    {
        (_path, _query) = Shape switch
        {
            "query" => ("/api/search", "?q=cache&page=2&utm_source=news"),
            "escaped" => ("/files/%7euser/report%20final.pdf", "?lang=%65n"),
            _ => ("/assets/app.3f9c2b.js", null),
        };
    }

    [Benchmark(Baseline = true)]
    public string Build_AsIs() => CacheKeyBuilder.Build("https", "www.example.com", _path, _query, _asIs);

    [Benchmark]
    public string Build_SortedIgnoringUtm() => CacheKeyBuilder.Build("https", "WWW.Example.com:443", _path, _query, _sorted);

    /// <summary>What a hit does: the key in stack memory, its length standing in for the lookup.</summary>
    [Benchmark]
    public int Write_AsIs() => Write("https", "www.example.com", _asIs);

    [Benchmark]
    public int Write_SortedIgnoringUtm() => Write("https", "WWW.Example.com:443", _sorted);

    private int Write(string scheme, string host, CacheKeyOptions options)
    {
        var buffer = new CacheKeyBuffer(stackalloc char[CacheKeyBuffer.StackChars]);
        try
        {
            CacheKeyBuilder.Write(ref buffer, scheme, host, default, _path, _query, options);
            return buffer.Length;
        }
        finally
        {
            buffer.Dispose();
        }
    }
}
