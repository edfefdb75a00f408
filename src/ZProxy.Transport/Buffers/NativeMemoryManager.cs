using System.Buffers;

namespace ZProxy.Transport.Buffers;

/// <summary>
/// Exposes a native range (for example a sealed mapping) as <see cref="Memory{T}"/>. The range
/// is never freed by this type; whoever mapped it keeps it alive until the last reference is
/// released. Pinning is free because native memory never moves.
/// </summary>
internal sealed unsafe class NativeMemoryManager(nint address, int length) : MemoryManager<byte>
{
    public nint Address { get; } = address;

    public override Span<byte> GetSpan() => new((void*)Address, length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)length);
        return new MemoryHandle((byte*)Address + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
