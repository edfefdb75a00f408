using System.Diagnostics.Metrics;
using ZProxy.Telemetry;

namespace ZProxy.Proxy.Caching;

/// <summary>Instruments of the cache, on the <c>ZProxy.Cache</c> meter.</summary>
internal sealed class CacheMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _bytes;
    private readonly Histogram<double> _originDuration;

    public CacheMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ZProxyTelemetry.CacheMeterName);
        _requests = meter.CreateCounter<long>("zproxy.cache.requests", "{request}",
            "Requests the cache handled, by result (hit, miss, stale, revalidated, pass, coalesced).");
        _bytes = meter.CreateCounter<long>("zproxy.cache.body.bytes", "By",
            "Response body bytes sent to clients, by source (cache or origin).");
        _originDuration = meter.CreateHistogram<double>("zproxy.cache.origin.duration", "s",
            "Time from sending a cache fill or revalidation to the origin until its response headers arrived.");
    }

    public void Request(string result)
    {
        if (_requests.Enabled)
        {
            _requests.Add(1, new KeyValuePair<string, object?>("zproxy.cache.result", result));
        }
    }

    public void BodyBytes(long bytes, bool fromCache)
    {
        if (_bytes.Enabled && bytes > 0)
        {
            _bytes.Add(bytes, new KeyValuePair<string, object?>("zproxy.cache.source", fromCache ? "cache" : "origin"));
        }
    }

    public void OriginDuration(TimeSpan duration)
    {
        if (_originDuration.Enabled)
        {
            _originDuration.Record(duration.TotalSeconds);
        }
    }
}

/// <summary>The values of the <c>zproxy.cache.result</c> tag.</summary>
internal static class CacheResults
{
    public const string Hit = "hit";
    public const string Miss = "miss";
    public const string Stale = "stale";
    public const string Revalidated = "revalidated";
    public const string Pass = "pass";
    public const string Coalesced = "coalesced";
}
