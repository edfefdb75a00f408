using ZProxy.PageBlocks.Memory;

namespace ZProxy.PageBlocks;

/// <summary>Pageblocks, slots and page runs: allocation, sealing, reclaim. Everything here runs under the store lock.</summary>
public sealed partial class PageBlockStore
{
    private readonly bool _forceAnonymous;
    private readonly SizeClasses _sizeClasses;
    private readonly Pageblock?[] _openSmall;
    private readonly ulong _fullPagesMask;
    private readonly long _arenaSize;
    private readonly int _maxArenas;
    private readonly List<Arena> _arenas = [];
    private readonly List<Pageblock> _blocks = [];
    private readonly Stack<Pageblock> _freeBlocks = new();
    private readonly List<Pageblock> _partialPages = [];
    private long _chargedData;
    private long _chargedMetadata;
    private long _bodyBytes;
    private int _indexedObjects;
    private long _evictions;
    private bool _disposed;
    private bool _arenasDisposed;

    internal bool TryAllocateSlot(int length, out BodyExtent slot)
    {
        lock (_sync)
        {
            return TryAllocateSlotLocked(length, out slot);
        }
    }

    /// <param name="wantPages">Pages wanted.</param>
    /// <param name="run">The run (possibly shorter than asked, when memory is fragmented).</param>
    /// <param name="warm">True when every page of the run came from the warm reserve (populated and writable).</param>
    internal bool TryAllocateRun(int wantPages, out BodyExtent run, out bool warm)
    {
        lock (_sync)
        {
            return TryAllocateRunLocked(wantPages, out run, out warm);
        }
    }

    /// <summary>Completes a writer's body and indexes it; null when it could not be stored (then it is aborted).</summary>
    internal StoredObject? Commit(BodyWriter writer, long length, string key, object? metadata, int metadataBytes)
    {
        lock (_sync)
        {
            var written = writer.StoredObject;
            var final = written;

            // A body of unknown length that turned out small moves into a size-class slot: one copy of
            // under LargeObjectThreshold bytes buys back the page rounding. Readers that followed it while it
            // was written keep reading the old copy, which lives until their leases are returned.
            if (!_disposed && !writer.IsSlotMode && length > 0 && length < LargeObjectThreshold
                && TryAllocateSlotLocked((int)length, out var slot))
            {
                var moved = new StoredObject(this, 1);
                moved.AddExtent(slot);
                CopyBody(written, slot, (int)length);
                moved.Publish(length);
                _unfreed.Add(moved);
                slot.Block.PendingWriters--;
                SettleSmallLocked(slot.Block);
                final = moved;
            }

            FinishWritingLocked(written, length, seal: ReferenceEquals(final, written), writer.CurrentRunPopulated, writer.CurrentRunWarm);
            if (!ReferenceEquals(final, written))
            {
                written.MarkComplete(length);
                if (written.DropReference())
                {
                    FreeObjectLocked(written);
                }
            }

            var charge = ObjectOverheadBytes + (2L * key.Length) + metadataBytes;
            if (_disposed || !EnsureRoomLocked(charge))
            {
                final.MarkAborted();
                if (final.DropReference())
                {
                    FreeObjectLocked(final);
                }

                return null;
            }

            final.Key = key;
            final.Metadata = metadata;
            final.MetadataBytes = charge;
            _chargedMetadata += charge;
            final.CountedBody = true;
            _bodyBytes += length;
            final.MarkComplete(length);

            // Replace atomically for readers: they see the old body or the new one, never a miss.
            if (_index.TryGetValue(key, out var previous))
            {
                _sieve.Remove(previous);
                previous.InIndex = false;
                _indexedObjects--;
            }

            _index[key] = final;
            final.InIndex = true;
            _indexedObjects++;
            _sieve.Insert(final);

            if (previous is not null && previous.DropReference())
            {
                FreeObjectLocked(previous);
            }

            MaybeRequestWorkLocked();
            return final;
        }
    }

    internal void AbortWriter(BodyWriter writer)
    {
        lock (_sync)
        {
            var written = writer.StoredObject;
            FinishWritingLocked(written, writer.Length, seal: false, writer.CurrentRunPopulated, writer.CurrentRunWarm);
            written.MarkAborted();
            if (written.DropReference())
            {
                FreeObjectLocked(written);
            }
        }
    }

    private static void CopyBody(StoredObject source, BodyExtent destination, int length)
    {
        var target = destination.Block.Bytes.Span.Slice(destination.Offset, length);
        var position = 0;
        while (position < length && source.TryGetMemory(position, out var piece))
        {
            var take = Math.Min(piece.Length, length - position);
            piece.Span[..take].CopyTo(target[position..]);
            position += take;
        }
    }

    /// <summary>The writer is done with its extents: trim the last page run, seal the runs, settle slots.</summary>
    /// <param name="storedObject">The written body.</param>
    /// <param name="length">Bytes written.</param>
    /// <param name="seal">Queue the page runs for sealing.</param>
    /// <param name="lastRunPopulated">Bytes at the start of the last run that may have been touched.</param>
    /// <param name="lastRunWarm">The last run came from the warm reserve: its untouched pages are still warm.</param>
    private void FinishWritingLocked(StoredObject storedObject, long length, bool seal, int lastRunPopulated, bool lastRunWarm)
    {
        var extents = storedObject.Extents;
        long start = 0;
        var hasRuns = false;
        for (var i = 0; i < extents.Length; i++)
        {
            var extent = extents[i];
            var block = extent.Block;
            block.PendingWriters--;
            if (extent.IsSlot)
            {
                SettleSmallLocked(block);
                start += extent.Capacity;
                continue;
            }

            if (i == extents.Length - 1)
            {
                var used = Math.Max(0, length - start);
                var keepPages = (int)((used + PageSize - 1) / PageSize);
                var pages = extent.Capacity / PageSize;
                if (keepPages < pages)
                {
                    // Pages past the written length were never readable, so no one can hold them: those
                    // never touched go back as they are; touched ones (populated ahead) are punched first.
                    var touchedPages = Math.Clamp((lastRunPopulated + PageSize - 1) / PageSize, keepPages, pages);
                    if (touchedPages > keepPages)
                    {
                        FreeRunLocked(block, extent.Offset + (keepPages * PageSize), touchedPages - keepPages);
                    }

                    if (pages > touchedPages)
                    {
                        FreeUntouchedRunLocked(block, extent.Offset + (touchedPages * PageSize), pages - touchedPages, lastRunWarm);
                    }

                    extent = extent with { Capacity = keepPages * PageSize };
                    storedObject.ReplaceLastExtent(extent);
                }
            }

            if (seal && extent.Capacity > 0)
            {
                hasRuns = true;
            }

            start += extent.Capacity;
        }

        if (hasRuns)
        {
            // ZCopy §3.2.3: a large body's pages are protected once its data is complete (batched).
            QueueSealLocked(storedObject);
        }
    }

    /// <summary>Returns an object's memory. Called once, when its last reference is dropped.</summary>
    private void FreeObjectLocked(StoredObject storedObject)
    {
        if (storedObject.IsFreed)
        {
            throw new InvalidOperationException("A stored body was freed twice.");
        }

        storedObject.IsFreed = true;
        foreach (var extent in storedObject.Extents)
        {
            if (extent.IsSlot)
            {
                // The slot is never reused: the block returns to the pool only when all its slots are dead.
                extent.Block.LiveObjects--;
                SettleSmallLocked(extent.Block);
            }
            else if (extent.Capacity > 0)
            {
                FreeRunLocked(extent.Block, extent.Offset, extent.Capacity / PageSize);
            }
        }

        _chargedMetadata -= storedObject.MetadataBytes;
        storedObject.MetadataBytes = 0;
        if (storedObject.CountedBody)
        {
            _bodyBytes -= storedObject.Available;
        }

        _unfreed.Remove(storedObject);
        if (_disposed && _unfreed.Count == 0)
        {
            DisposeArenasLocked();
        }
    }

    private bool TryAllocateSlotLocked(int length, out BodyExtent slot)
    {
        var sizeClass = _sizeClasses.ClassOf(length);
        var block = _openSmall[sizeClass];
        if (_disposed)
        {
            slot = default;
            return false;
        }

        if (block is null)
        {
            // Not from the warm reserve: a size-class block fills slowly (rare classes may stay open for good),
            // and the warm pages it has not reached would sit there, charged, out of every other writer's reach.
            if (!TryTakeFreeBlockLocked(evict: true, out block))
            {
                slot = default;
                return false;
            }

            block.Kind = PageblockKind.Small;
            block.SizeClass = sizeClass;
            block.SlotSize = _sizeClasses.SlotSize(sizeClass);
            block.NextSlotOffset = 0;
            block.ChargedPages = 0;
            _openSmall[sizeClass] = block;
        }

        var offset = block.NextSlotOffset;
        var end = offset + block.SlotSize;
        block.NextSlotOffset = end;
        if (block.IsFull)
        {
            _openSmall[sizeClass] = null;
        }

        // The slot pins the block (pending writer) while room is made for the pages it newly touches.
        block.LiveObjects++;
        block.PendingWriters++;
        var newPages = ((end + PageSize - 1) / PageSize) - block.ChargedPages;
        if (newPages > 0)
        {
            if (!EnsureRoomLocked((long)newPages * PageSize))
            {
                // The slot stays unused (slots are never handed out twice).
                block.LiveObjects--;
                block.PendingWriters--;
                SettleSmallLocked(block);
                slot = default;
                return false;
            }

            block.ChargedPages += newPages;
            _chargedData += (long)newPages * PageSize;
        }

        slot = new BodyExtent(block, offset, block.SlotSize, IsSlot: true);
        return true;
    }

    private bool TryAllocateRunLocked(int wantPages, out BodyExtent run, out bool warm)
    {
        warm = false;
        if (_disposed)
        {
            run = default;
            return false;
        }

        if (TryTakeWarmRunLocked(wantPages, out run))
        {
            warm = true;
            MaybeRequestWorkLocked();
            return true;
        }

        NoteReserveMissLocked();
        if (!EnsureRoomLocked((long)wantPages * PageSize))
        {
            run = default;
            return false;
        }

        while (true)
        {
            // Tails and short bodies first fill the holes that trimmed runs left, then whole blocks.
            if (wantPages < PagesPerBlock && TryClaimFromPartialLocked(wantPages, exact: true, out run))
            {
                return true;
            }

            if (TryTakeFreeBlockLocked(evict: false, out var block))
            {
                block.Kind = PageblockKind.Pages;
                run = ClaimLocked(block, 0, wantPages);
                return true;
            }

            if (TryClaimFromPartialLocked(wantPages, exact: false, out run))
            {
                return true;
            }

            if (!EvictOneLocked())
            {
                run = default;
                return false;
            }
        }
    }

    private bool TryClaimFromPartialLocked(int wantPages, bool exact, out BodyExtent run)
    {
        // Bounded scan, newest first: finding the best hole is not worth a long walk under the lock.
        var scanned = 0;
        for (var i = _partialPages.Count - 1; i >= 0 && scanned < 64; i--, scanned++)
        {
            var block = _partialPages[i];
            var (start, length) = FindFreeRun(block.UsedPages | block.DirtyPages, wantPages);
            if (length == wantPages || (!exact && length > 0))
            {
                run = ClaimLocked(block, start, length);
                return true;
            }
        }

        run = default;
        return false;
    }

    /// <summary>The first free run of <paramref name="wantPages"/> pages, else the longest shorter one.</summary>
    private (int Start, int Length) FindFreeRun(ulong used, int wantPages)
    {
        int bestStart = 0, bestLength = 0, runStart = 0, runLength = 0;
        for (var page = 0; page < PagesPerBlock; page++)
        {
            if ((used & (1UL << page)) != 0)
            {
                runLength = 0;
                continue;
            }

            if (runLength == 0)
            {
                runStart = page;
            }

            runLength++;
            if (runLength == wantPages)
            {
                return (runStart, runLength);
            }

            if (runLength > bestLength)
            {
                (bestStart, bestLength) = (runStart, runLength);
            }
        }

        return (bestStart, bestLength);
    }

    private BodyExtent ClaimLocked(Pageblock block, int startPage, int pages)
    {
        var mask = PageMask(startPage, pages);
        ClaimWarmPagesLocked(block, mask);
        block.UsedPages |= mask;
        block.LiveObjects++;
        block.PendingWriters++;
        _chargedData += (long)pages * PageSize;
        UpdatePartialLocked(block);
        return new BodyExtent(block, startPage * PageSize, pages * PageSize, IsSlot: false);
    }

    /// <summary>
    /// Gives pages back. They stay charged and unusable until punched (<see cref="FlushDirtyLocked"/>): freed
    /// memory is never handed out again before its pages are released, so it is never rewritten in place.
    /// </summary>
    private void FreeRunLocked(Pageblock block, int offset, int pages)
    {
        var mask = PageMask(offset / PageSize, pages);
        var length = (long)pages * PageSize;
        block.UsedPages &= ~mask;
        block.DirtyPages |= mask;
        block.DirtyBytes += length;
        _chargedData -= length;
        _dirtyBytes += length;
        AddDirtyLocked(block);
        UpdatePartialLocked(block);
    }

    /// <summary>
    /// Gives back pages that were never touched (nor readable), so they need no punch: cold ones hold no
    /// memory; warm ones (from the reserve) go back to it, still charged.
    /// </summary>
    private void FreeUntouchedRunLocked(Pageblock block, int offset, int pages, bool warm)
    {
        var mask = PageMask(offset / PageSize, pages);
        var bytes = (long)pages * PageSize;
        block.UsedPages &= ~mask;
        _chargedData -= bytes;
        if (warm)
        {
            block.WarmPages |= mask;
            _reserveBytes += bytes;
        }

        if (block.UsedPages == 0 && block.DirtyPages == 0)
        {
            ReturnEmptyPagesBlockLocked(block);
        }
        else
        {
            UpdatePartialLocked(block);
        }
    }

    /// <summary>A pages block with no run and no freed page left: to the reserve, the pool, or the next punch.</summary>
    private void ReturnEmptyPagesBlockLocked(Pageblock block)
    {
        RemovePartialLocked(block);
        if (block.WarmPages == _fullPagesMask)
        {
            block.ResetToWarm(PageblockKind.Warm, _fullPagesMask);
            _warmBlocks.Push(block);
        }
        else if (block.WarmPages == 0)
        {
            block.ResetToFree();
            _freeBlocks.Push(block);
        }
        else
        {
            // Partly warm and otherwise empty: punched whole at the next flush, then back to the pool.
            FoldWarmIntoDirtyLocked(block);
            AddDirtyLocked(block);
        }
    }

    /// <summary>
    /// A small block whose slots are all dead goes back to the pool (even an open one, so an aborted or
    /// evicted body leaves nothing charged); a full one with every slot written is sealed.
    /// </summary>
    private void SettleSmallLocked(Pageblock block)
    {
        if (block.Kind != PageblockKind.Small || block.PendingWriters > 0)
        {
            return;
        }

        if (block.LiveObjects == 0)
        {
            if (ReferenceEquals(_openSmall[block.SizeClass], block))
            {
                _openSmall[block.SizeClass] = null;
            }

            // Punched (and unsealed) in the next batch, then back to the pool; warm pages it never used go with it.
            var bytes = (long)block.ChargedPages * PageSize;
            block.Kind = PageblockKind.Dirty;
            block.DirtyBytes = bytes;
            _chargedData -= bytes;
            _dirtyBytes += bytes;
            FoldWarmIntoDirtyLocked(block);
            AddDirtyLocked(block);
        }
        else if (block.IsFull && !block.IsSealed && !block.SealQueued)
        {
            // ZCopy §3.2.3: a pageblock of small objects is protected when it is full (batched).
            QueueSealLocked(block);
        }
    }

    private bool TryTakeFreeBlockLocked(bool evict, out Pageblock block)
    {
        while (true)
        {
            if (_freeBlocks.TryPop(out block!))
            {
                return true;
            }

            // Punching is a batch of syscalls (each a TLB shootdown): do it when enough has piled up, else
            // map fresh space while the address-space reserve lasts.
            if ((_dirtyBytes >= MemoryLimit / 16 || (_arenas.Count >= _maxArenas && _dirtyBytes > 0)) && FlushDirtyLocked())
            {
                continue;
            }

            if (_arenas.Count < _maxArenas)
            {
                GrowLocked();
                continue;
            }

            if (!evict || !EvictOneLocked())
            {
                block = null!;
                return false;
            }
        }
    }

    private void GrowLocked()
    {
        var arena = Arena.Create(_arenas.Count, _arenaSize, allowMemfd: !_forceAnonymous);
        _arenas.Add(arena);
        var count = (int)(_arenaSize / BlockSize);
        var added = new Pageblock[count];
        for (var i = 0; i < count; i++)
        {
            added[i] = new Pageblock(arena, (long)i * BlockSize, BlockSize);
            _blocks.Add(added[i]);
        }

        // Lowest addresses on top: fills the arena from its start.
        for (var i = count - 1; i >= 0; i--)
        {
            _freeBlocks.Push(added[i]);
        }
    }

    private void UpdatePartialLocked(Pageblock block)
    {
        var hasFree = (block.UsedPages | block.DirtyPages) != _fullPagesMask;
        if (hasFree && block.PartialIndex < 0)
        {
            block.PartialIndex = _partialPages.Count;
            _partialPages.Add(block);
        }
        else if (!hasFree)
        {
            RemovePartialLocked(block);
        }
    }

    private void RemovePartialLocked(Pageblock block)
    {
        var index = block.PartialIndex;
        if (index < 0)
        {
            return;
        }

        var last = _partialPages[^1];
        _partialPages[index] = last;
        last.PartialIndex = index;
        _partialPages.RemoveAt(_partialPages.Count - 1);
        block.PartialIndex = -1;
    }

    private ulong PageMask(int startPage, int pages)
        => (pages >= 64 ? ulong.MaxValue : ((1UL << pages) - 1)) << startPage & _fullPagesMask;

    private void DisposeArenasLocked()
    {
        // A seal, punch or populate running outside the lock still uses the mapping; it calls back here when done.
        if (_arenasDisposed || _callsOutsideLock > 0)
        {
            return;
        }

        _arenasDisposed = true;
        foreach (var arena in _arenas)
        {
            arena.Dispose();
        }
    }
}
