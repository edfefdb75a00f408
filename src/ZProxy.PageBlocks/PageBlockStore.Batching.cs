using ZProxy.PageBlocks.Memory;

namespace ZProxy.PageBlocks;

/// <summary>
/// Sealing and punching in batches. Each mprotect or fallocate call costs a TLB shootdown across the
/// process's CPUs, far more than the pages it touches (measured: one call per 64 KiB costs 100 to 1000
/// times more per byte than one call over 64 MiB on a loaded 2-vCPU VM). So, as ZCopy §3.2.3 does with
/// protection, requests are queued and applied in a few calls over merged ranges. Runs under the store lock.
/// </summary>
public sealed partial class PageBlockStore
{
    private readonly List<Pageblock> _dirtyBlocks = [];
    private readonly List<StoredObject> _pendingSealObjects = [];
    private readonly List<(Pageblock Block, int Generation)> _pendingSealBlocks = [];
    private readonly List<(Arena Arena, long Start, long End)> _ranges = [];
    private readonly int _sealBatchSize;
    private readonly TimeSpan _sealDelay;
    private ITimer? _sealTimer;
    private long _dirtyBytes;

    /// <summary>
    /// Seals what is queued for sealing and punches all freed memory now, instead of at the next batch.
    /// </summary>
    public void FlushPending()
    {
        lock (_sync)
        {
            if (!_arenasDisposed)
            {
                FlushSealsLocked();
                FlushDirtyLocked();
            }
        }
    }

    private void AddDirtyLocked(Pageblock block)
    {
        if (!block.InDirtyList)
        {
            block.InDirtyList = true;
            _dirtyBlocks.Add(block);
        }
    }

    /// <summary>Unseals and punches every freed range in merged calls, then returns emptied blocks to the pool.</summary>
    private void FlushDirtyLocked()
    {
        if (_dirtyBlocks.Count == 0)
        {
            return;
        }

        _ranges.Clear();
        foreach (var block in _dirtyBlocks)
        {
            // A pages block left with no run goes back to the pool below, so its warm pages are punched too.
            if (block.Kind == PageblockKind.Pages && block.UsedPages == 0)
            {
                FoldWarmIntoDirtyLocked(block);
            }

            if (block.Kind == PageblockKind.Dirty)
            {
                _ranges.Add((block.Arena, block.ArenaOffset, block.ArenaOffset + BlockSize));
                continue;
            }

            var dirty = block.DirtyPages;
            var page = 0;
            while (page < PagesPerBlock)
            {
                if ((dirty & (1UL << page)) == 0)
                {
                    page++;
                    continue;
                }

                var first = page;
                while (page < PagesPerBlock && (dirty & (1UL << page)) != 0)
                {
                    page++;
                }

                _ranges.Add((block.Arena, block.ArenaOffset + ((long)first * PageSize), block.ArenaOffset + ((long)page * PageSize)));
            }
        }

        foreach (var (arena, start, end) in MergeRanges())
        {
            // Punch first, then writable again (the next writer must not fault on an old seal): once punched the
            // range maps no page, so the mprotect changes no page-table entry and needs no TLB shootdown; the
            // other order pays two (each a cross-vCPU interrupt on a VM). Nothing touches the range between the
            // two calls: it is under the store lock and in no pool yet.
            arena.Release(start, end - start);
            arena.Protect(start, end - start, readOnly: false);
        }

        foreach (var block in _dirtyBlocks)
        {
            _dirtyBytes -= block.DirtyBytes;
            block.DirtyBytes = 0;
            block.InDirtyList = false;
            if (block.Kind == PageblockKind.Dirty || (block.Kind == PageblockKind.Pages && block.UsedPages == 0))
            {
                RemovePartialLocked(block);
                block.ResetToFree();
                _freeBlocks.Push(block);
            }
            else
            {
                block.DirtyPages = 0;
                UpdatePartialLocked(block);
            }
        }

        _dirtyBlocks.Clear();
    }

    private void QueueSealLocked(StoredObject storedObject)
    {
        _pendingSealObjects.Add(storedObject);
        AfterQueueLocked();
    }

    private void QueueSealLocked(Pageblock block)
    {
        block.SealQueued = true;
        _pendingSealBlocks.Add((block, block.Generation));
        AfterQueueLocked();
    }

    private void AfterQueueLocked()
    {
        var pending = _pendingSealObjects.Count + _pendingSealBlocks.Count;
        if (_disposed || (pending >= _sealBatchSize && (_sealBatchSize == 1 || _reserveTarget == 0)))
        {
            FlushSealsLocked();
        }
        else if (pending >= _sealBatchSize)
        {
            // With the reserve on, its worker applies the batch: the mprotect (a TLB shootdown) leaves the
            // committing request. A batch size of 1 still seals at once, on the committing thread.
            RequestWorkLocked();
        }
        else if (pending == 1)
        {
            // A quiet store still seals within the delay.
            _sealTimer ??= TimeProvider.System.CreateTimer(static state => ((PageBlockStore)state!).OnSealTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _sealTimer.Change(_sealDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnSealTimer()
    {
        lock (_sync)
        {
            if (!_arenasDisposed)
            {
                FlushSealsLocked();
            }
        }
    }

    /// <summary>Makes every queued run and full small block read-only, in merged mprotect calls.</summary>
    private void FlushSealsLocked()
    {
        if (_pendingSealObjects.Count == 0 && _pendingSealBlocks.Count == 0)
        {
            return;
        }

        _ranges.Clear();
        foreach (var storedObject in _pendingSealObjects)
        {
            // A body freed before its seal has had its pages marked dirty (and maybe already reused): skip it.
            if (storedObject.IsFreed)
            {
                continue;
            }

            foreach (var extent in storedObject.Extents)
            {
                if (!extent.IsSlot && extent.Capacity > 0)
                {
                    var start = extent.Block.ArenaOffset + extent.Offset;
                    _ranges.Add((extent.Block.Arena, start, start + extent.Capacity));
                }
            }
        }

        foreach (var (block, generation) in _pendingSealBlocks)
        {
            if (IsSealableLocked(block, generation))
            {
                _ranges.Add((block.Arena, block.ArenaOffset, block.ArenaOffset + BlockSize));
            }
        }

        foreach (var (arena, start, end) in MergeRanges())
        {
            arena.Protect(start, end - start, readOnly: true);
        }

        foreach (var storedObject in _pendingSealObjects)
        {
            if (!storedObject.IsFreed)
            {
                storedObject.RunsSealed = true;
            }
        }

        foreach (var (block, generation) in _pendingSealBlocks)
        {
            if (IsSealableLocked(block, generation))
            {
                block.IsSealed = true;
            }
        }

        _pendingSealObjects.Clear();
        _pendingSealBlocks.Clear();
        if (!_disposed)
        {
            _sealTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private static bool IsSealableLocked(Pageblock block, int generation)
        => block.Generation == generation && block.Kind == PageblockKind.Small && !block.IsSealed;

    /// <summary>Sorts <see cref="_ranges"/> and joins touching ones, so each merged range is one syscall.</summary>
    private List<(Arena Arena, long Start, long End)> MergeRanges()
    {
        _ranges.Sort(static (a, b) => a.Arena.Index != b.Arena.Index ? a.Arena.Index.CompareTo(b.Arena.Index) : a.Start.CompareTo(b.Start));
        var merged = 0;
        for (var i = 0; i < _ranges.Count; i++)
        {
            var current = _ranges[i];
            if (merged > 0 && ReferenceEquals(_ranges[merged - 1].Arena, current.Arena) && _ranges[merged - 1].End >= current.Start)
            {
                var last = _ranges[merged - 1];
                _ranges[merged - 1] = (last.Arena, last.Start, Math.Max(last.End, current.End));
            }
            else
            {
                _ranges[merged++] = current;
            }
        }

        _ranges.RemoveRange(merged, _ranges.Count - merged);
        return _ranges;
    }
}
