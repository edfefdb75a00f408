namespace ZProxy.PageBlocks;

/// <summary>
/// A reference-counted owner of sealed (read-only, never rewritten) store memory.
/// </summary>
/// <remarks>
/// The contract between the store and whoever sends its bytes later (the zero-copy transport):
/// a holder that keeps a <see cref="SealedSegment"/> beyond the lease it came from calls
/// <see cref="Retain"/> first and <see cref="Release"/> exactly once when the kernel has taken the
/// bytes or the connection is gone. The memory stays mapped and unchanged until the last release.
/// </remarks>
public interface ISealedMemoryOwner
{
    /// <summary>Adds one reference. Must be called while another reference is still held.</summary>
    void Retain();

    /// <summary>Drops one reference taken by <see cref="Retain"/> (or by the lease itself).</summary>
    void Release();
}
