namespace ZProxy.LoadTests.Scenarios.BenchReport;

/// <summary>The rounds of one proxy at one body size, summarised.</summary>
internal sealed class ProxySizeResult
{
    /// <summary>Other load above this share of the proxy's CPU marks a run as disturbed.</summary>
    public const double DisturbedThreshold = 0.10;

    public ProxySizeResult(string proxy, string size, long sizeBytes, IReadOnlyList<BenchRun> runs)
    {
        Proxy = proxy;
        Size = size;
        SizeBytes = sizeBytes;
        Runs = runs;
        RequestsPerSecond = Summary.Of(runs.Select(r => r.RequestsPerSecond));
        MebibytesPerSecond = Summary.Of(runs.Select(r => r.MebibytesPerSecond));
        P50Microseconds = Summary.Of(runs.Select(r => r.P50Microseconds));
        P99Microseconds = Summary.Of(runs.Select(r => r.P99Microseconds));
        CpuMicrosecondsPerRequest = Summary.Of(runs.Select(r => r.CpuMicrosecondsPerRequest));
        ProxyCpuShare = Summary.Of(runs.Select(r => r.ProxyCpuShare));
        OtherLoad = Summary.Of(runs.Select(r => r.OtherLoadOnProxyCpu));
        GeneratorBusy = Summary.Of(runs.Select(r => r.GeneratorCpuBusy));
        AllocatedBytesPerRequest = Summary.Of(runs.Select(r => r.AllocatedBytesPerRequest));
        DisturbedRuns = runs.Count(r => r.OtherLoadOnProxyCpu > DisturbedThreshold);
        Errors = runs.Sum(r => r.Errors + r.Non2xx);
    }

    public string Proxy { get; }

    public string Size { get; }

    public long SizeBytes { get; }

    public IReadOnlyList<BenchRun> Runs { get; }

    public Summary RequestsPerSecond { get; }

    public Summary MebibytesPerSecond { get; }

    public Summary P50Microseconds { get; }

    public Summary P99Microseconds { get; }

    public Summary CpuMicrosecondsPerRequest { get; }

    public Summary ProxyCpuShare { get; }

    public Summary OtherLoad { get; }

    public Summary GeneratorBusy { get; }

    /// <summary>GC bytes allocated per request (ZProxy's own figure; NaN for other proxies).</summary>
    public Summary AllocatedBytesPerRequest { get; }

    public int DisturbedRuns { get; }

    public long Errors { get; }

    /// <summary>
    /// True when the proxy did not use its whole CPU while the generator's CPU was saturated: the
    /// requests/s is then the load generator's limit, and CPU per request is the figure to compare.
    /// </summary>
    /// <remarks>Only said of undisturbed rows: when other load starves the proxy, its spare share is not spare.</remarks>
    public bool GeneratorBound => ProxyCpuShare.Median < 0.85 && GeneratorBusy.Median > 0.90 && OtherLoad.Median <= DisturbedThreshold;
}
