namespace ZProxy.PageBlocks.Memory;

/// <summary>What a pageblock is used for.</summary>
internal enum PageblockKind
{
    /// <summary>In the free pool: punched, writable, charged to nobody.</summary>
    Free,

    /// <summary>Packed with small bodies of one size class; sealed when full and every slot is written.</summary>
    Small,

    /// <summary>Page runs of large bodies; each run is sealed when its body is complete.</summary>
    Pages,

    /// <summary>A small block whose slots are all dead, waiting to be punched before it returns to the pool.</summary>
    Dirty,

    /// <summary>
    /// In the warm reserve: punched, then populated and writable, charged to the limit as reserve. A writer
    /// takes it without a page fault or a syscall.
    /// </summary>
    Warm,

    /// <summary>Taken for the warm reserve (already charged as reserve); being populated outside the store lock.</summary>
    Warming,
}

/// <summary>
/// The unit of protection and reclaim (ZCopy §3.2.1): <c>PageblockPages</c> pages of one arena.
/// All mutable fields are guarded by the store lock, except <see cref="IsSealed"/>, which readers peek.
/// </summary>
internal sealed unsafe class Pageblock
{
    private volatile bool _isSealed;

    public Pageblock(Arena arena, long arenaOffset, int size)
    {
        Arena = arena;
        ArenaOffset = arenaOffset;
        Size = size;
        Address = arena.Base + arenaOffset;
        Memory = new PageblockMemory(arena, Address, size);
        Bytes = Memory.Memory;
    }

    public Arena Arena { get; }

    /// <summary>Offset in the arena, and so in its memfd.</summary>
    public long ArenaOffset { get; }

    public int Size { get; }

    public byte* Address { get; }

    public PageblockMemory Memory { get; }

    /// <summary>The whole block as memory, cached so slicing it allocates nothing.</summary>
    public Memory<byte> Bytes { get; }

    public PageblockKind Kind { get; set; }

    /// <summary>
    /// Starts loading the first cache line of each page in a page-aligned range about to be written, so the
    /// copy does not stall at every page boundary: hardware prefetchers stop at 4 KiB pages, and each new page
    /// costs a TLB miss that, on this project's VM (shadow page tables), is a long page walk, longest for pages
    /// populated on the other CPU (the reserve worker's). Prefetches overlap those walks; they never fault.
    /// </summary>
    /// <remarks>
    /// Measured with a throwaway probe (RESULTS.md (a⁵)): 64 KiB copy-in from the warm reserve, median per body
    /// 3.1 to 3.2 µs with, 3.3 to 4.2 µs without. x86 only (.NET has no portable prefetch); elsewhere a no-op.
    /// </remarks>
    public void PrefetchPages(int offset, int length, int pageSize)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            return;
        }

        for (var position = offset; position < offset + length; position += pageSize)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Address + position);
        }
    }

    /// <summary>Small: the whole block is read-only. Pages: unused.</summary>
    public bool IsSealed
    {
        get => _isSealed;
        set => _isSealed = value;
    }

    // Small blocks.
    public int SizeClass { get; set; } = -1;

    public int SlotSize { get; set; }

    public int NextSlotOffset { get; set; }

    public bool IsFull => NextSlotOffset + SlotSize > Size;

    /// <summary>
    /// Small: pages charged to the limit so far, those holding at least one handed-out slot. The memfd is
    /// sparse, so the untouched rest of an open block costs no memory and is not charged.
    /// </summary>
    public int ChargedPages { get; set; }

    /// <summary>Small: slots not yet freed (written or being written). Pages: runs not yet freed.</summary>
    public int LiveObjects { get; set; }

    /// <summary>Slots or runs handed to writers that have not committed or aborted yet.</summary>
    public int PendingWriters { get; set; }

    // Pages blocks.

    /// <summary>Bit i set: page i belongs to some run.</summary>
    public ulong UsedPages { get; set; }

    /// <summary>Pages blocks: bit i set, page i was freed and is not punched yet, so not reusable.</summary>
    public ulong DirtyPages { get; set; }

    /// <summary>
    /// Bit i set: page i is populated, writable and holds no bytes anyone could have read (it was punched
    /// or never used since), and is charged to the limit as reserve rather than as data. Set on blocks of
    /// the warm reserve; the pages not yet claimed keep it after a writer takes such a block.
    /// </summary>
    public ulong WarmPages { get; set; }

    /// <summary>Bytes of this block charged as freed-but-not-punched.</summary>
    public long DirtyBytes { get; set; }

    /// <summary>Small: a seal of the whole block is queued.</summary>
    public bool SealQueued { get; set; }

    /// <summary>
    /// Seal batches in flight outside the store lock that cover part of this block. While any is, the block
    /// is not punched nor made writable again (see <c>PageBlockStore.SealOutsideLock</c>).
    /// </summary>
    public int SealsInFlight { get; set; }

    /// <summary>True while the block is in the store's list of blocks to punch.</summary>
    public bool InDirtyList { get; set; }

    /// <summary>
    /// True while the reserve worker punches this block's freed pages outside the store lock. Those pages stay
    /// dirty (unusable) until the punch lands, and no other flush touches the block meanwhile.
    /// </summary>
    public bool PunchInFlight { get; set; }

    /// <summary>The freed pages the punch in flight covers (a subset of <see cref="DirtyPages"/>; all pages of a Dirty block).</summary>
    public ulong PunchingPages { get; set; }

    /// <summary>The charge those pages give back when the punch lands.</summary>
    public long PunchingBytes { get; set; }

    /// <summary>Bumped each time the block returns to the pool, so a stale pending seal never hits a reused block.</summary>
    public int Generation { get; private set; }

    /// <summary>Position in the store's list of pages blocks with free pages, or -1.</summary>
    public int PartialIndex { get; set; } = -1;

    /// <summary>Back to the free pool. Its warm pages, if any, must have been uncharged (punched) first.</summary>
    public void ResetToFree()
    {
        System.Diagnostics.Debug.Assert(WarmPages == 0, "A block with charged warm pages went back to the free pool.");
        Reset(PageblockKind.Free);
    }

    /// <summary>Into the warm reserve (or on its way there): every page warm and charged as reserve.</summary>
    public void ResetToWarm(PageblockKind kind, ulong allPages)
    {
        Reset(kind);
        WarmPages = allPages;
    }

    private void Reset(PageblockKind kind)
    {
        System.Diagnostics.Debug.Assert(!PunchInFlight, "A block went back to a pool while its punch was in flight.");
        Kind = kind;
        IsSealed = false;
        SizeClass = -1;
        SlotSize = 0;
        NextSlotOffset = 0;
        ChargedPages = 0;
        LiveObjects = 0;
        PendingWriters = 0;
        UsedPages = 0;
        DirtyPages = 0;
        DirtyBytes = 0;
        InDirtyList = false;
        SealQueued = false;
        PartialIndex = -1;
        Generation++;
    }
}
