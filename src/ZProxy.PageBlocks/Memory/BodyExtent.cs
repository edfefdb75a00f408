namespace ZProxy.PageBlocks.Memory;

/// <summary>
/// One contiguous piece of a body inside one pageblock: a size-class slot, or a run of whole pages.
/// </summary>
/// <param name="Block">The pageblock holding the piece.</param>
/// <param name="Offset">Offset of the piece in the block.</param>
/// <param name="Capacity">Bytes reserved (slot size, or pages × page size).</param>
/// <param name="IsSlot">True for a small-object slot, false for a page run.</param>
internal readonly record struct BodyExtent(Pageblock Block, int Offset, int Capacity, bool IsSlot);
