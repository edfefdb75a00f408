namespace ZProxy.PageBlocks;

/// <summary>A snapshot of the store's accounting, taken under its lock.</summary>
/// <param name="UsedBytes">Charged bytes: <paramref name="DataBytes"/>, <paramref name="MetadataBytes"/>, <paramref name="FreedUnpunchedBytes"/> and <see cref="ReserveBytes"/>; never above the limit.</param>
/// <param name="LimitBytes">The memory limit.</param>
/// <param name="DataBytes">Memory held for bodies: whole pageblocks for small bodies, whole pages for large ones.</param>
/// <param name="MetadataBytes">Metadata sizes given at commit plus a fixed overhead per object.</param>
/// <param name="FreedUnpunchedBytes">Freed body memory not punched yet (it still holds pages; released in batches).</param>
/// <param name="PendingSeals">Bodies and full small pageblocks queued for sealing.</param>
/// <param name="BodyBytes">The lengths of committed bodies not yet freed.</param>
/// <param name="Objects">Bodies in the index.</param>
/// <param name="UnfreedObjects">Bodies whose memory is not freed yet: indexed, being written, or evicted but leased.</param>
/// <param name="OpenPageblocks">Pageblocks being filled.</param>
/// <param name="SealedPageblocks">Pageblocks holding only finished bodies.</param>
/// <param name="FreePageblocks">Mapped pageblocks in the free pool.</param>
/// <param name="Arenas">Arenas mapped so far.</param>
/// <param name="Evictions">Bodies evicted to make room since the store was created.</param>
/// <param name="Leases">Leases currently held.</param>
/// <param name="UsesMemfd">True when arenas are memfd-backed (segments carry a file for sendfile).</param>
public readonly record struct PageBlockStoreStatistics(
    long UsedBytes,
    long LimitBytes,
    long DataBytes,
    long MetadataBytes,
    long FreedUnpunchedBytes,
    int PendingSeals,
    long BodyBytes,
    int Objects,
    int UnfreedObjects,
    int OpenPageblocks,
    int SealedPageblocks,
    int FreePageblocks,
    int Arenas,
    long Evictions,
    long Leases,
    bool UsesMemfd)
{
    /// <summary>Warm reserve pages: punched, populated, writable, held for the next writers and charged to the limit.</summary>
    public long ReserveBytes { get; init; }

    /// <summary>The reserve the worker keeps up (the option capped at an eighth of the limit); 0 when off.</summary>
    public long ReserveTargetBytes { get; init; }

    /// <summary>Whole pageblocks in the warm reserve or being populated for it.</summary>
    public int ReservePageblocks { get; init; }

    /// <summary>Times a writer needed fresh pages and found the reserve empty (it then populated its own).</summary>
    public long ReserveMisses { get; init; }

    /// <summary>Pageblocks the worker has populated into the reserve since the store was created.</summary>
    public long ReserveRefilledPageblocks { get; init; }

    /// <summary>Wall time the worker spent on its passes (sealing, evicting, punching, populating), lock waits included.</summary>
    public TimeSpan ReserveWorkerTime { get; init; }

    /// <summary>Body memory not holding body bytes: size-class rounding, page rounding, dead slots, open blocks, bodies still being written.</summary>
    public long WastedBytes => DataBytes - BodyBytes;

    /// <summary><see cref="WastedBytes"/> as a fraction of <see cref="DataBytes"/>.</summary>
    public double WasteRatio => DataBytes == 0 ? 0 : (double)WastedBytes / DataBytes;
}
