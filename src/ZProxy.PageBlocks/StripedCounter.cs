namespace ZProxy.PageBlocks;

/// <summary>
/// A counter spread over cache lines so that threads on different cores rarely touch the same one; the
/// value is the sum, exact whenever no update is in flight. Used for the lease gauge on the hit path.
/// </summary>
internal sealed class StripedCounter
{
    // 16 longs = 128 bytes apart: two cache lines, beyond the adjacent-line prefetcher.
    private const int Stride = 16;
    private readonly long[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        var stripes = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Environment.ProcessorCount, 1, 64));
        _mask = stripes - 1;
        _cells = new long[stripes * Stride];
    }

    public long Value
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _cells.Length; i += Stride)
            {
                sum += Volatile.Read(ref _cells[i]);
            }

            return sum;
        }
    }

    public void Increment() => Interlocked.Increment(ref _cells[Index()]);

    public void Decrement() => Interlocked.Decrement(ref _cells[Index()]);

    private int Index() => (Environment.CurrentManagedThreadId & _mask) * Stride;
}
