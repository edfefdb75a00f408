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

    // Bounded so a burst does not pin memory forever: 16 MiB of idle blocks, and as much in idle leases.
    private const int MaxRetained = 4096;

    private readonly ConcurrentQueue<byte[]> _blocks = new();
    private readonly ConcurrentQueue<Lease> _leases = new();
    private int _retained;
    private int _retainedLeases;

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

    /// <summary>
    /// A block for the input pipe. Block-sized leases are pooled with their block, as Kestrel's
    /// pool returns its block objects, so a request's receive buffer costs no allocation.
    /// </summary>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize <= BlockSize && _leases.TryDequeue(out var lease))
        {
            Interlocked.Decrement(ref _retainedLeases);
            lease.Reopen();
            return lease;
        }

        return new Lease(this, RentArray(Math.Max(minBufferSize, 1)));
    }

    protected override void Dispose(bool disposing)
    {
        _blocks.Clear();
        _leases.Clear();
    }

    private void Return(Lease lease, byte[] array)
    {
        if (array.Length == BlockSize && Interlocked.Increment(ref _retainedLeases) <= MaxRetained)
        {
            _leases.Enqueue(lease);
            return;
        }

        if (array.Length == BlockSize)
        {
            Interlocked.Decrement(ref _retainedLeases);
        }

        ReturnArray(array);
    }

    private sealed class Lease(PinnedBlockPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private int _open = 1;

        public Memory<byte> Memory => Volatile.Read(ref _open) == 1 ? array : throw new ObjectDisposedException(nameof(Lease));

        public void Reopen() => Volatile.Write(ref _open, 1);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _open, 0) == 1)
            {
                pool.Return(this, array);
            }
        }
    }
}
