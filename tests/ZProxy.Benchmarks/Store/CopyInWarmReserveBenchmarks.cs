using BenchmarkDotNet.Attributes;
using ZProxy.PageBlocks;

namespace ZProxy.Benchmarks.Store;

/// <summary>
/// The request path's copy-in of a 64 KiB body when the warm reserve has pages: <c>CreateWriter</c>,
/// <c>TryAppend</c>, <c>TryCommit</c> into populated, writable pages, against memcpy into a cold 64 MiB ring
/// in the same run. Each iteration starts from a full reserve (refilled in the iteration setup, outside the
/// timing, by the worker as in the proxy; see <see cref="CopyInStore.AwaitRefilledReserve"/>) and writes 128
/// bodies, a quarter of what the reserve holds (512 blocks); the reserve's worker thread runs meanwhile as it
/// would in the proxy (it is asked to seal each batch of 32 and to top the reserve up).
/// What this leaves out, the refill work, is what <see cref="CopyInSustainedBenchmarks"/> counts.
/// </summary>
/// <remarks>
/// Thirty warm-up iterations, not BenchmarkDotNet's usual handful: an iteration is only 128 calls of a few
/// microseconds, and the store's code (not ready-to-run, unlike the runtime's memcpy) is promoted to optimized
/// code only after its calls were counted for 100 ms. With three warm-ups the measured iterations ran the store's
/// unoptimized code against an optimized memcpy (4.1 to 4.7 µs against 3.1 to 3.4 µs with thirty, same build;
/// RESULTS.md (a⁵)).
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[InvocationCount(128, 1)]
[WarmupCount(30)]
[IterationCount(15)]
public class CopyInWarmReserveBenchmarks
{
    private const int BodySize = 64 * 1024;
    private const int Slots = 1024;

    private byte[] _source = [];
    private byte[] _ring = [];
    private string[] _keys = [];
    private PageBlockStore? _store;
    private int _next;

    /// <summary>
    /// <see cref="ReserveWorker.Deferred"/>: the real store, its worker thread running with its default of waiting
    /// for a gap between copy-ins. <see cref="ReserveWorker.AtOnce"/>: the worker runs each pass when asked, beside
    /// the writer. <see cref="ReserveWorker.Idle"/>: no worker thread (the reserve is filled only by the iteration
    /// setup; seals come from the 5 ms timer), to show the writer undisturbed.
    /// </summary>
    [Params(ReserveWorker.Deferred, ReserveWorker.AtOnce, ReserveWorker.Idle)]
    public ReserveWorker Worker { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _source = new byte[BodySize];
        new Random(1).NextBytes(_source);
        _ring = new byte[BodySize * Slots];
        Array.Fill(_ring, (byte)1);
        _keys = Enumerable.Range(0, Slots).Select(i => "copy/" + i).ToArray();

        _store = CopyInStore.Create(Worker);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // In BenchmarkDotNet's log: how many writers missed the reserve, and the worker's time per block.
        if (_store is not null)
        {
            CopyInSustainedBenchmarks.Report("warm reserve", _store);
            _store.Dispose();
        }
    }

    [IterationSetup(Targets = [nameof(CopyIn64KiBKnownLength_WarmReserve), nameof(CopyIn64KiBUnknownLength_WarmReserve)])]
    public void FillReserve() => CopyInStore.AwaitRefilledReserve(_store!, Worker);

    [Benchmark(Baseline = true)]
    public void Memcpy64KiB()
    {
        _source.CopyTo(_ring.AsSpan(_next * BodySize, BodySize));
        _next = (_next + 1) & (Slots - 1);
    }

    [Benchmark]
    public bool CopyIn64KiBKnownLength_WarmReserve()
    {
        var committed = CopyIn.Write(_store!, _source, _keys[_next], knownLength: true);
        _next = (_next + 1) & (Slots - 1);
        return committed;
    }

    [Benchmark]
    public bool CopyIn64KiBUnknownLength_WarmReserve()
    {
        var committed = CopyIn.Write(_store!, _source, _keys[_next], knownLength: false);
        _next = (_next + 1) & (Slots - 1);
        return committed;
    }
}
