using System.Diagnostics.Metrics;
using Xunit;

namespace ZProxy.PageBlocks.Tests;

public class PageBlockStoreMetricsTests
{
    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Meters { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            Meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Meters)
            {
                meter.Dispose();
            }
        }
    }

    [Fact]
    public void Observe_StoreWithBodies_ReportsBytesPageblocksObjectsEvictionsLeases()
    {
        using var factory = new TestMeterFactory();
        // The reserve refilled on this thread only, so the figures cannot move between collection and check.
        using var store = new PageBlockStore(new PageBlockStoreOptions { MemoryLimit = new ByteSize(1 << 20), TrackLeases = true, WarmReserve = new ByteSize(1 << 20), ManualReserveRefill = true }, factory);
        TestBodies.Put(store, "miss", TestBodies.Create(50_000, 99));
        store.RefillReserve();
        for (var i = 0; i < 40; i++)
        {
            TestBodies.Put(store, "k" + i, TestBodies.Create(50_000, i));
        }

        TestBodies.Put(store, "small", TestBodies.Create(100, 1));
        Assert.True(store.TryLease("small", out var lease));

        var measurements = new List<(string Name, long Value, string? Tag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == "ZProxy.Store")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Add((instrument.Name, value, TagValue(tags))));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => measurements.Add((instrument.Name, value, TagValue(tags))));
        listener.Start();
        listener.RecordObservableInstruments();
        lease.Dispose();

        var stats = store.GetStatistics();
        Assert.Contains(("zproxy.store.bytes", stats.UsedBytes, "used"), measurements);
        Assert.Contains(("zproxy.store.bytes", 1L << 20, "limit"), measurements);
        Assert.Contains(("zproxy.store.bytes", stats.WastedBytes, "wasted"), measurements);
        Assert.Contains(("zproxy.store.pageblocks", (long)stats.OpenPageblocks, "open"), measurements);
        Assert.Contains(("zproxy.store.pageblocks", (long)stats.SealedPageblocks, "sealed"), measurements);
        Assert.Contains(("zproxy.store.pageblocks", (long)stats.FreePageblocks, "free"), measurements);
        Assert.Contains(("zproxy.store.pageblocks", (long)stats.ReservePageblocks, "reserve"), measurements);
        Assert.Contains(("zproxy.store.bytes", stats.ReserveBytes, "reserve"), measurements);
        Assert.Contains(("zproxy.store.reserve.misses", stats.ReserveMisses, null), measurements);
        Assert.Contains(("zproxy.store.objects", (long)stats.Objects, null), measurements);
        Assert.Contains(("zproxy.store.evictions", stats.Evictions, null), measurements);
        Assert.Contains(("zproxy.store.leases", 1L, null), measurements);
        Assert.True(stats.Evictions > 0);
        Assert.True(stats.ReserveMisses > 0);
        Assert.True(stats.ReserveRefilledPageblocks > 0);
    }

    private static string? TagValue(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        => tags.Length == 0 ? null : tags[0].Value as string;
}
