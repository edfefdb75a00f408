using System.Diagnostics.Metrics;

namespace ZProxy.PageBlocks;

/// <summary>
/// The store's instruments on the <c>ZProxy.Store</c> meter. All are observable: they read the store's
/// accounting when a collector asks, so the hit path pays nothing for them.
/// </summary>
/// <remarks>
/// Prometheus names (OpenTelemetry exporter): <c>zproxy_store_bytes{kind="used|limit|wasted|reserve"}</c>,
/// <c>zproxy_store_pageblocks{state="open|sealed|free|reserve"}</c>, <c>zproxy_store_objects</c>,
/// <c>zproxy_store_evictions_total</c>, <c>zproxy_store_leases</c>, <c>zproxy_store_reserve_misses_total</c>.
/// </remarks>
internal sealed class PageBlockStoreMetrics
{
    public const string MeterName = "ZProxy.Store";

    // Owned by the factory, which disposes it with the host; not disposed here.
    private readonly Meter _meter;

    public PageBlockStoreMetrics(PageBlockStore store, IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge(
            "zproxy.store.bytes",
            () =>
            {
                var s = store.GetStatistics();
                return new Measurement<long>[]
                {
                    new(s.UsedBytes, new KeyValuePair<string, object?>("kind", "used")),
                    new(s.LimitBytes, new KeyValuePair<string, object?>("kind", "limit")),
                    new(s.WastedBytes, new KeyValuePair<string, object?>("kind", "wasted")),
                    new(s.ReserveBytes, new KeyValuePair<string, object?>("kind", "reserve")),
                };
            },
            unit: "By",
            description: "Store bytes: used (bodies' pages, metadata, unpunched and reserve pages), the limit, body memory wasted to rounding and open blocks, and the warm reserve (part of used).");
        _meter.CreateObservableGauge(
            "zproxy.store.pageblocks",
            () =>
            {
                var s = store.GetStatistics();
                return new Measurement<int>[]
                {
                    new(s.OpenPageblocks, new KeyValuePair<string, object?>("state", "open")),
                    new(s.SealedPageblocks, new KeyValuePair<string, object?>("state", "sealed")),
                    new(s.FreePageblocks, new KeyValuePair<string, object?>("state", "free")),
                    new(s.ReservePageblocks, new KeyValuePair<string, object?>("state", "reserve")),
                };
            },
            unit: "{pageblock}",
            description: "Mapped pageblocks by state.");
        _meter.CreateObservableGauge(
            "zproxy.store.objects",
            () => store.GetStatistics().Objects,
            unit: "{object}",
            description: "Bodies in the store's index.");
        _meter.CreateObservableCounter(
            "zproxy.store.evictions",
            () => store.GetStatistics().Evictions,
            unit: "{object}",
            description: "Bodies evicted to stay under the memory limit.");
        _meter.CreateObservableCounter(
            "zproxy.store.reserve.misses",
            () => store.GetStatistics().ReserveMisses,
            unit: "{allocation}",
            description: "Writers that needed fresh pages and found the warm reserve empty (they populated their own, on the request path).");
        _meter.CreateObservableUpDownCounter(
            "zproxy.store.leases",
            () => store.GetStatistics().Leases,
            unit: "{lease}",
            description: "Leases currently held on stored bodies.");
    }
}
