using System.Buffers;
using System.Collections.Concurrent;

namespace ZProxy.Transport.Buffers;

/// <summary>
/// A pool of pinned 4 KiB blocks (Kestrel's block size) for received bytes and for the owned
/// bytes of the send queue. Blocks live on the pinned object heap, so their address can go into
/// an iovec without a GCHandle. Larger requests get an unpooled pinned array.
/// </summary>
internal sealed class PinnedBlockPool : MemoryPool<byte>
{
    internal const int BlockSize = 4096;

    // Bounded so a burst does not pin memory forever: 16 MiB of idle blocks at most.
    private const int MaxRetained = 4096;

    private readonly ConcurrentQueue<byte[]> _blocks = new();
    private int _retained;

    public override int MaxBufferSize => BlockSize;

    public byte[] RentArray(int minimumLength)
    {
        if (minimumLength <= BlockSize)
        {
            if (_blocks.TryDequeue(out var block))
            {
                Interlocked.Decrement(ref _retained);
                return block;
            }

            return GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        }

        return GC.AllocateUninitializedArray<byte>(minimumLength, pinned: true);
    }

    public void ReturnArray(byte[] array)
    {
        if (array.Length == BlockSize && Interlocked.Increment(ref _retained) <= MaxRetained)
        {
            _blocks.Enqueue(array);
            return;
        }

        if (array.Length == BlockSize)
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => new Lease(this, RentArray(Math.Max(minBufferSize, 1)));

    protected override void Dispose(bool disposing)
    {
        _blocks.Clear();
    }

    private sealed class Lease(PinnedBlockPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Lease));

        public void Dispose()
        {
            var array = Interlocked.Exchange(ref _array, null);
            if (array is not null)
            {
                pool.ReturnArray(array);
            }
        }
    }
}
