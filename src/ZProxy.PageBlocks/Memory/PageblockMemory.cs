using System.Buffers;

namespace ZProxy.PageBlocks.Memory;

/// <summary>
/// Exposes one pageblock as <see cref="Memory{T}"/> without copying: slices of it are what readers and
/// the transport see. Created once per pageblock, so handing out memory allocates nothing.
/// </summary>
internal sealed unsafe class PageblockMemory : MemoryManager<byte>
{
    private readonly byte* _pointer;
    private readonly int _length;

    // Keeps the mapping alive for as long as any Memory<byte> over it is reachable.
    private readonly Arena _arena;

    public PageblockMemory(Arena arena, byte* pointer, int length)
    {
        _arena = arena;
        _pointer = pointer;
        _length = length;
    }

    public Arena Arena => _arena;

    public override Span<byte> GetSpan() => new(_pointer, _length);

    /// <remarks>The memory is native and never moves; pinning is free.</remarks>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    /// <remarks>The mapping belongs to the arena; nothing to free here.</remarks>
    protected override void Dispose(bool disposing)
    {
    }
}
