using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Primitives;
using ZProxy.Caching;
using ZProxy.Caching.Freshness;
using ZProxy.Caching.Status;
using ZProxy.Caching.Storage;
using ZProxy.Caching.Validation;

namespace ZProxy.Benchmarks.Caching;

/// <summary>
/// The header values a hit adds or decides, in the order the hit responder computes them: Age
/// (RFC 9111 §5.1), Cache-Status (RFC 9211) and the client's preconditions (RFC 9110 §13.2.2).
/// Writing them into Kestrel's header collection, with the rest of a hit, is measured by
/// <see cref="HitPathBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HitHeaderBenchmarks
{
    private readonly CachePolicyOptions _options = new();
    private Dictionary<string, StringValues> _request = [];
    private Dictionary<string, StringValues> _conditional = [];
    private StoredResponseMetadata? _stored;
    private DateTimeOffset _now;

    [GlobalSetup]
    public void Setup()
    {
        _request = BenchmarkHeaders.Request();
        _conditional = BenchmarkHeaders.ConditionalRequest();
        _stored = StoredResponseMetadata.Create(_request, 200, BenchmarkHeaders.Response(), BenchmarkHeaders.ResponseTime, BenchmarkHeaders.ResponseTime, _options);
        _now = BenchmarkHeaders.ResponseTime.AddSeconds(90);
    }

    [Benchmark(Baseline = true)]
    public string Age() => AgeCalculator.FormatAge(_stored!.CurrentAge(_now));

    [Benchmark]
    public string CacheStatus_Hit() => CacheStatusFormatter.Format(_options.CacheName, new CacheStatusEntry { Hit = true, TimeToLive = _stored!.TimeToLive(_now) });

    [Benchmark]
    public ConditionalOutcome Preconditions_None() => ConditionalRequestEvaluator.Evaluate("GET", _request, _stored!).Outcome;

    [Benchmark]
    public ConditionalOutcome Preconditions_IfNoneMatch() => ConditionalRequestEvaluator.Evaluate("GET", _conditional, _stored!).Outcome;
}
