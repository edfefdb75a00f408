using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Primitives;
using ZProxy.Caching;
using ZProxy.Caching.Reuse;
using ZProxy.Caching.Storage;

namespace ZProxy.Benchmarks.Caching;

/// <summary>
/// The RFC 9111 decisions on the hot paths: may a stored response be reused (every hit), may a
/// response be stored and its metadata built (every fill), and is the request cacheable at all
/// (every request). Target: the hit-path decisions allocate 0 B.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PolicyBenchmarks
{
    private readonly CachePolicyOptions _options = new();
    private Dictionary<string, StringValues> _request = [];
    private Dictionary<string, StringValues> _conditional = [];
    private Dictionary<string, StringValues> _response = [];
    private StoredResponseMetadata? _stored;
    private DateTimeOffset _now;

    [GlobalSetup]
    public void Setup()
    {
        _request = BenchmarkHeaders.Request();
        _conditional = BenchmarkHeaders.ConditionalRequest();
        _response = BenchmarkHeaders.Response();
        _stored = StoredResponseMetadata.Create(_request, 200, _response, BenchmarkHeaders.ResponseTime, BenchmarkHeaders.ResponseTime, _options);
        _now = BenchmarkHeaders.ResponseTime.AddSeconds(90);
    }

    /// <summary>The decision of every hit: fresh, Vary'd response, no request directives.</summary>
    [Benchmark(Baseline = true)]
    public ReuseDecision Reuse_FreshHit() => ReuseEvaluator.Evaluate(_request, _stored!, _now, _options).Decision;

    /// <summary>A browser reload: max-age=0 in the request forces validation.</summary>
    [Benchmark]
    public ReuseDecision Reuse_ClientMaxAgeZero() => ReuseEvaluator.Evaluate(_conditional, _stored!, _now, _options).Decision;

    /// <summary>Every request: is it a GET/HEAD the cache may answer?</summary>
    [Benchmark]
    public RequestDisposition Classify_Get() => RequestClassifier.Classify("GET", _request, _options).Disposition;

    /// <summary>Every fill: may the origin's response be stored?</summary>
    [Benchmark]
    public bool Storability_Cacheable200() =>
        StorabilityEvaluator.Evaluate("GET", _request, 200, _response, BenchmarkHeaders.ResponseTime, _options).Store;

    /// <summary>Every fill: the metadata kept beside the body (parsed directives, dates, Vary).</summary>
    [Benchmark]
    public StoredResponseMetadata StoredMetadata_Create() =>
        StoredResponseMetadata.Create(_request, 200, _response, BenchmarkHeaders.ResponseTime, BenchmarkHeaders.ResponseTime, _options);
}
