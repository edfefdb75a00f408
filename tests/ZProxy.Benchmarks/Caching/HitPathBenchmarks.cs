using BenchmarkDotNet.Attributes;

namespace ZProxy.Benchmarks.Caching;

/// <summary>
/// A whole cache hit as ZProxy's code sees it: <c>CacheMiddleware.InvokeAsync</c> on a reused request
/// context, which resolves the route's policy, classifies the request, writes the key into stack memory,
/// looks it up and leases the body, decides reuse, writes status and headers (Age, Cache-Status, the
/// stored fields) into Kestrel's own response header collection, sends the 1 KiB body and returns the
/// lease. Kestrel's parsing and socket I/O, routing and YARP's pipeline are outside (see
/// loadtests/results/allocation-budget.md for the whole process). The context is built by
/// <see cref="HitPathHarness"/>, which the allocation test in ZProxy.LoadTests.Smoke drives too.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HitPathBenchmarks
{
    private HitPathHarness? _harness;

    /// <summary>plain: /assets/app.3f9c2b.js; query: three parameters, key as is; vary: a response stored per Accept-Encoding.</summary>
    [Params("plain", "query", "vary")]
    public string Shape { get; set; } = "plain";

    [GlobalSetup]
    public void Setup() => _harness = new HitPathHarness(Shape);

    [GlobalCleanup]
    public void Cleanup() => _harness?.Dispose();

    /// <summary>A GET answered 200 with its body (copied into a pipe over <c>Stream.Null</c>).</summary>
    [Benchmark(Baseline = true)]
    public int Get() => _harness!.Get();

    /// <summary>A HEAD: status and headers only.</summary>
    [Benchmark]
    public int Head() => _harness!.Head();

    /// <summary>A browser reload with a matching If-None-Match: 304 with the fields RFC 9110 §15.4.5 keeps.</summary>
    [Benchmark]
    public int NotModified() => _harness!.NotModified();
}
