using BenchmarkDotNet.Attributes;
using ZProxy.PageBlocks;
using ZProxy.PageBlocks.Memory;

namespace ZProxy.Benchmarks.Store;

/// <summary>
/// Copy-in of 64 KiB bodies into the store against a plain memcpy of the same size into memory that is
/// not in cache (a 64 MiB ring), measured in the same run. Target: store at 70 % or more of memcpy.
/// <see cref="FreshPages64KiB"/> is the kernel's floor for any store that punches freed pages before reuse:
/// the same copy into a memfd ring whose pages are punched (in one batch per lap) and populated again.
/// The store here runs with the warm reserve off: this is the path a writer takes when the reserve is
/// empty (<see cref="CopyInWarmReserveBenchmarks"/> measures it warm, <see cref="CopyInSustainedBenchmarks"/>
/// with the refill work counted).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CopyInBenchmarks
{
    private const int BodySize = 64 * 1024;
    private const int Slots = 1024;

    private byte[] _source = [];
    private byte[] _ring = [];
    private string[] _keys = [];
    private PageBlockStore? _store;
    private Arena? _arena;
    private int _next;
    private int _nextFresh;

    [GlobalSetup]
    public void Setup()
    {
        _source = new byte[BodySize];
        new Random(1).NextBytes(_source);
        _ring = new byte[BodySize * Slots];
        Array.Fill(_ring, (byte)1);
        _keys = Enumerable.Range(0, Slots).Select(i => "copy/" + i).ToArray();
        _store = new PageBlockStore(new PageBlockStoreOptions { MemoryLimit = new ByteSize(256L << 20), TrackLeases = false, WarmReserve = new ByteSize(0) });
        _arena = Arena.Create(0, (long)BodySize * Slots, allowMemfd: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _arena?.Dispose();
    }

    [Benchmark]
    public unsafe void FreshPages64KiB()
    {
        if (_nextFresh == 0)
        {
            _arena!.Release(0, (long)BodySize * Slots);
        }

        var offset = (long)_nextFresh * BodySize;
        _arena!.Populate(offset, BodySize);
        _source.CopyTo(new Span<byte>(_arena.Base + offset, BodySize));
        _nextFresh = (_nextFresh + 1) & (Slots - 1);
    }

    [Benchmark(Baseline = true)]
    public void Memcpy64KiB()
    {
        _source.CopyTo(_ring.AsSpan(_next * BodySize, BodySize));
        _next = (_next + 1) & (Slots - 1);
    }

    [Benchmark]
    public bool CopyIn64KiBKnownLength()
    {
        var committed = CopyIn.Write(_store!, _source, _keys[_next], knownLength: true);
        _next = (_next + 1) & (Slots - 1);
        return committed;
    }

    [Benchmark]
    public bool CopyIn64KiBUnknownLength()
    {
        var committed = CopyIn.Write(_store!, _source, _keys[_next], knownLength: false);
        _next = (_next + 1) & (Slots - 1);
        return committed;
    }
}
