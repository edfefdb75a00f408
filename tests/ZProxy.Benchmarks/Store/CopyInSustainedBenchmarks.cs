using BenchmarkDotNet.Attributes;
using ZProxy.PageBlocks;

namespace ZProxy.Benchmarks.Store;

/// <summary>
/// Sustained copy-in with the refill work counted: each invocation writes 256 bodies of 64 KiB back to back
/// under fresh keys into a 64 MiB store that is full (so every body evicts), then waits until the reserve's
/// worker has sealed, evicted, punched and populated the reserve back to its target (8 MiB, 128 blocks).
/// The time per body is the wall time of the whole, writer and worker together, on this 2-core VM: what the
/// store costs per 64 KiB when bodies keep arriving, not just what the request thread waits for. The same
/// loop with the reserve off, ending with the punches still owed (<c>FlushPending</c>), and memcpy, side by side.
/// 256 bodies are twice the reserve, so the worker's urgent passes (half the reserve used) run beside the writer
/// whatever <see cref="Worker"/> says.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CopyInSustainedBenchmarks
{
    private const int BodySize = 64 * 1024;
    private const int Bodies = 256;
    private const int Slots = 1024;

    private byte[] _source = [];
    private byte[] _ring = [];
    private PageBlockStore? _warm;
    private PageBlockStore? _cold;
    private long _key;

    /// <summary>The reserve worker with its default wait for a gap between copy-ins, or running each pass at once.</summary>
    [Params(ReserveWorker.Deferred, ReserveWorker.AtOnce)]
    public ReserveWorker Worker { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _source = new byte[BodySize];
        new Random(1).NextBytes(_source);
        _ring = new byte[BodySize * Slots];
        Array.Fill(_ring, (byte)1);
        _warm = Fill(new PageBlockStore(new PageBlockStoreOptions
        {
            MemoryLimit = new ByteSize(64L << 20),
            WarmReserve = new ByteSize(8L << 20),
            TrackLeases = false,
            WorkerQuietPeriod = CopyInStore.QuietPeriod(Worker),
        }));
        _cold = Fill(new PageBlockStore(new PageBlockStoreOptions { MemoryLimit = new ByteSize(64L << 20), WarmReserve = new ByteSize(0), TrackLeases = false }));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_warm is not null)
        {
            Report("sustained, warm reserve", _warm);
            _warm.Dispose();
        }

        _cold?.Dispose();
    }

    /// <summary>Writes the reserve's counters to the benchmark's log.</summary>
    internal static void Report(string name, PageBlockStore store)
    {
        var s = store.GetStatistics();
        var perBlock = s.ReserveRefilledPageblocks == 0 ? 0 : s.ReserveWorkerTime.TotalMicroseconds / s.ReserveRefilledPageblocks;
        Console.WriteLine(
            $"// {name}: reserve misses {s.ReserveMisses}, blocks refilled {s.ReserveRefilledPageblocks}, worker time {s.ReserveWorkerTime.TotalMilliseconds:0} ms = {perBlock:0.0} us per 64 KiB block refilled, evictions {s.Evictions}");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Bodies)]
    public void Memcpy64KiB()
    {
        for (var i = 0; i < Bodies; i++)
        {
            _source.CopyTo(_ring.AsSpan((int)(_key++ & (Slots - 1)) * BodySize, BodySize));
        }
    }

    [Benchmark(OperationsPerInvoke = Bodies)]
    public void Sustained64KiB_WarmReserve_RefillIncluded()
    {
        WriteBodies(_warm!);
        _warm!.RefillReserve();
        SpinWait.SpinUntil(() => _warm.IsReserveSettled);
    }

    [Benchmark(OperationsPerInvoke = Bodies)]
    public void Sustained64KiB_NoReserve_PunchIncluded()
    {
        WriteBodies(_cold!);
        _cold!.FlushPending();
    }

    private PageBlockStore Fill(PageBlockStore store)
    {
        // Full before the first measured body: from then on every body evicts one.
        for (var i = 0; i < (64 << 20) / BodySize; i++)
        {
            WriteOne(store);
        }

        store.FlushPending();
        store.RefillReserve();
        SpinWait.SpinUntil(() => store.IsReserveSettled);
        return store;
    }

    private void WriteBodies(PageBlockStore store)
    {
        for (var i = 0; i < Bodies; i++)
        {
            WriteOne(store);
        }
    }

    private void WriteOne(PageBlockStore store)
    {
        using var writer = store.CreateWriter(BodySize);
        writer.TryAppend(_source);
        writer.TryCommit("sustained/" + _key++, null, 0);
    }
}
