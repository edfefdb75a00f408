using ZProxy.PageBlocks.Memory;

namespace ZProxy.PageBlocks;

/// <summary>
/// Sealing and punching in batches. Each mprotect or fallocate call costs a TLB shootdown across the
/// process's CPUs, far more than the pages it touches (measured: one call per 64 KiB costs 100 to 1000
/// times more per byte than one call over 64 MiB on a loaded 2-vCPU VM). So, as ZCopy §3.2.3 does with
/// protection, requests are queued and applied in a few calls over merged ranges. Runs under the store lock,
/// except the reserve worker's seals and punches (<see cref="SealOutsideLock"/>, <see cref="PunchOutsideLock"/>),
/// whose syscalls leave the lock free for writers.
/// </summary>
public sealed partial class PageBlockStore
{
    private readonly List<Pageblock> _dirtyBlocks = [];
    private List<StoredObject> _pendingSealObjects = [];
    private List<(Pageblock Block, int Generation)> _pendingSealBlocks = [];
    private readonly List<(Arena Arena, long Start, long End)> _ranges = [];
    private readonly List<(Arena Arena, long Start, long End)> _outsideRanges = [];
    private readonly List<Pageblock> _punchBlocks = [];
    private readonly List<Pageblock> _outsidePunchBlocks = [];
    private readonly List<(Arena Arena, long Start, long End)> _outsidePunchRanges = [];
    private List<StoredObject> _sealingObjects = [];
    private List<(Pageblock Block, int Generation)> _sealingBlocks = [];
    private readonly int _sealBatchSize;
    private readonly TimeSpan _sealDelay;
    private ITimer? _sealTimer;
    private long _dirtyBytes;

    /// <summary>The thread whose seal batch is in flight outside the lock (one at a time), or 0.</summary>
    private int _sealingThread;

    /// <summary>The thread whose punch is in flight outside the lock (one at a time), or 0.</summary>
    private int _punchingThread;

    /// <summary>Tests: runs on the worker's thread while a seal batch is in flight outside the lock.</summary>
    internal Action? SealInFlightHook { get; set; }

    /// <summary>Tests: runs on the worker's thread while a punch is in flight outside the lock.</summary>
    internal Action? PunchInFlightHook { get; set; }

    /// <summary>
    /// Seals what is queued for sealing and punches all freed memory now, instead of at the next batch. A seal
    /// or punch the reserve worker has in flight is waited for, so on return nothing freed before the call is
    /// left unpunched.
    /// </summary>
    public void FlushPending()
    {
        var spin = new SpinWait();
        while (true)
        {
            lock (_sync)
            {
                if (_arenasDisposed)
                {
                    return;
                }

                FlushSealsLocked();
                FlushDirtyLocked();

                // Nothing in flight, or in flight on this very thread (a test hook flushing mid-call): done.
                var self = Environment.CurrentManagedThreadId;
                if ((_sealingThread == 0 || _sealingThread == self) && (_punchingThread == 0 || _punchingThread == self))
                {
                    return;
                }
            }

            // The worker's calls take microseconds to milliseconds; what they leave behind is flushed next time round.
            spin.SpinOnce(sleep1Threshold: 20);
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

    /// <summary>
    /// Unseals and punches every freed range in merged calls, then returns emptied blocks to the pool. Blocks
    /// under a seal or a punch in flight outside the lock wait for the next flush: punched and made writable
    /// now, they could be reused and then sealed (or punched) under a writer. Returns false when no block
    /// could be flushed.
    /// </summary>
    private bool FlushDirtyLocked()
    {
        if (!CollectPunchLocked(_punchBlocks, _ranges))
        {
            return false;
        }

        try
        {
            PunchRanges(_ranges);
        }
        catch
        {
            CompletePunchLocked(_punchBlocks, punched: false);
            throw;
        }

        CompletePunchLocked(_punchBlocks, punched: true);
        return true;
    }

    /// <summary>
    /// The reserve worker's punch: takes the freed blocks under the lock, makes the fallocate and mprotect calls
    /// outside it (each a TLB shootdown, hundreds of microseconds on this project's VM: a writer that waited
    /// on the lock for them stalled that long), and gives the pages back under the lock again.
    /// </summary>
    /// <remarks>
    /// Safe because the punched pages stay in <see cref="Pageblock.DirtyPages"/> meanwhile, so no writer can
    /// claim them, and <see cref="Pageblock.PunchInFlight"/> keeps every other flush off the block. Pages freed
    /// meanwhile join <see cref="Pageblock.DirtyPages"/> and wait for the next flush. The arenas stay mapped
    /// (<see cref="_callsOutsideLock"/>) until the calls return.
    /// </remarks>
    private void PunchOutsideLock()
    {
        lock (_sync)
        {
            if (_arenasDisposed || _outsidePunchBlocks.Count > 0 || !CollectPunchLocked(_outsidePunchBlocks, _outsidePunchRanges))
            {
                return;
            }

            _callsOutsideLock++;
            _punchingThread = Environment.CurrentManagedThreadId;
        }

        var punched = false;
        try
        {
            PunchInFlightHook?.Invoke();
            PunchRanges(_outsidePunchRanges);
            punched = true;
        }
        finally
        {
            lock (_sync)
            {
                // On failure the pages stay freed-but-unpunched (charged, unusable) for a later flush to retry.
                CompletePunchLocked(_outsidePunchBlocks, punched);
                _callsOutsideLock--;
                _punchingThread = 0;
                if (_disposed && _unfreed.Count == 0)
                {
                    DisposeArenasLocked();
                }
            }
        }
    }

    /// <summary>
    /// Moves the dirty blocks no seal or punch holds into <paramref name="blocks"/>, marks their freed pages as
    /// being punched, and collects the merged ranges to punch. False when there is none.
    /// </summary>
    private bool CollectPunchLocked(List<Pageblock> blocks, List<(Arena Arena, long Start, long End)> ranges)
    {
        blocks.Clear();
        ranges.Clear();
        for (var i = _dirtyBlocks.Count - 1; i >= 0; i--)
        {
            var block = _dirtyBlocks[i];
            if (block.SealsInFlight > 0 || block.PunchInFlight)
            {
                continue;
            }

            _dirtyBlocks.RemoveAt(i);
            block.InDirtyList = false;
            blocks.Add(block);

            // A pages block left with no run goes back to the pool when punched, so its warm pages are punched too.
            if (block.Kind == PageblockKind.Pages && block.UsedPages == 0)
            {
                FoldWarmIntoDirtyLocked(block);
            }

            block.PunchInFlight = true;
            block.PunchingBytes = block.DirtyBytes;
            if (block.Kind == PageblockKind.Dirty)
            {
                block.PunchingPages = _fullPagesMask;
                ranges.Add((block.Arena, block.ArenaOffset, block.ArenaOffset + BlockSize));
                continue;
            }

            var dirty = block.DirtyPages;
            block.PunchingPages = dirty;
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

                ranges.Add((block.Arena, block.ArenaOffset + ((long)first * PageSize), block.ArenaOffset + ((long)page * PageSize)));
            }
        }

        MergeRanges(ranges);
        return blocks.Count > 0;
    }

    /// <summary>
    /// Punch first, then writable again (the next writer must not fault on an old seal): once punched the range
    /// maps no page, so the mprotect changes no page-table entry and needs no TLB shootdown; the other order
    /// pays two (each a cross-vCPU interrupt on a VM). Nothing touches the ranges meanwhile: their pages are
    /// dirty, so in no pool.
    /// </summary>
    private static void PunchRanges(List<(Arena Arena, long Start, long End)> ranges)
    {
        foreach (var (arena, start, end) in ranges)
        {
            arena.Release(start, end - start);
            arena.Protect(start, end - start, readOnly: false);
        }
    }

    /// <summary>
    /// After a punch: the punched pages' charge is given back and emptied blocks return to the pool. Without
    /// <paramref name="punched"/> (a failed syscall) the pages stay dirty and the blocks go back on the list.
    /// </summary>
    private void CompletePunchLocked(List<Pageblock> blocks, bool punched)
    {
        foreach (var block in blocks)
        {
            block.PunchInFlight = false;
            var punchedPages = block.PunchingPages;
            var punchedBytes = block.PunchingBytes;
            block.PunchingPages = 0;
            block.PunchingBytes = 0;
            if (!punched)
            {
                AddDirtyLocked(block);
                continue;
            }

            _dirtyBytes -= punchedBytes;
            block.DirtyBytes -= punchedBytes;
            block.DirtyPages &= ~punchedPages;
            if (block.Kind == PageblockKind.Dirty)
            {
                RemovePartialLocked(block);
                block.ResetToFree();
                _freeBlocks.Push(block);
            }
            else if (block.UsedPages == 0 && block.DirtyPages == 0)
            {
                // Warm pages given back while the punch was in flight leave it to the reserve or the next punch.
                ReturnEmptyPagesBlockLocked(block);
            }
            else
            {
                UpdatePartialLocked(block);
                if (block.DirtyPages != 0)
                {
                    // Freed while the punch was in flight: punched at the next flush.
                    AddDirtyLocked(block);
                }
            }
        }

        blocks.Clear();
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
        var pending = PendingSealCountLocked;
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
            // A quiet store still seals within the delay: the reserve worker keeps the deadline itself, so
            // this commit does not re-arm a timer (waking the timer thread costs a futex call and a cross-CPU
            // interrupt, 50 to 170 µs on this project's VM); without a worker, the timer seals.
            if (HasReserveWorkerLocked)
            {
                ScheduleWorkerSealLocked(Environment.TickCount64 + (long)_sealDelay.TotalMilliseconds);
            }
            else
            {
                ArmSealTimerLocked();
            }
        }
    }

    /// <summary>Tests: true once the seal timer was created (a store without a reserve worker, or whose worker failed).</summary>
    internal bool HasSealTimer
    {
        get
        {
            lock (_sync)
            {
                return _sealTimer is not null;
            }
        }
    }

    private int PendingSealCountLocked => _pendingSealObjects.Count + _pendingSealBlocks.Count;

    private void ArmSealTimerLocked()
    {
        _sealTimer ??= TimeProvider.System.CreateTimer(static state => ((PageBlockStore)state!).OnSealTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _sealTimer.Change(_sealDelay, Timeout.InfiniteTimeSpan);
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

        CollectSealRangesLocked(_pendingSealObjects, _pendingSealBlocks, _ranges, inFlight: 0);
        foreach (var (arena, start, end) in MergeRanges(_ranges))
        {
            arena.Protect(start, end - start, readOnly: true);
        }

        MarkSealedLocked(_pendingSealObjects, _pendingSealBlocks);
        StopSealTimerLocked();
    }

    /// <summary>
    /// The reserve worker's seal: takes the queued batch under the lock, makes the mprotect calls outside it
    /// (each a TLB shootdown, long on a VM: writers would wait on the lock for it), and marks the batch sealed
    /// under the lock again. Until then readers see the bodies as unsealed and copy them, as before any seal.
    /// </summary>
    /// <remarks>
    /// Safe because nothing can make a range of the batch writable again meanwhile: every block it touches
    /// counts the seal in <see cref="Pageblock.SealsInFlight"/>, and <see cref="FlushDirtyLocked"/> leaves such
    /// blocks for a later flush. A body freed meanwhile is sealed with the rest, and its pages are punched and
    /// made writable after. The arenas stay mapped (<see cref="_callsOutsideLock"/>) until the calls return.
    /// </remarks>
    private void SealOutsideLock()
    {
        List<StoredObject> objects;
        List<(Pageblock Block, int Generation)> blocks;
        lock (_sync)
        {
            if (_arenasDisposed || _sealingObjects.Count > 0 || _sealingBlocks.Count > 0
                || (_pendingSealObjects.Count == 0 && _pendingSealBlocks.Count == 0))
            {
                return;
            }

            // The batch leaves the pending lists, which new commits fill meanwhile.
            (objects, _pendingSealObjects, _sealingObjects) = (_pendingSealObjects, _sealingObjects, _pendingSealObjects);
            (blocks, _pendingSealBlocks, _sealingBlocks) = (_pendingSealBlocks, _sealingBlocks, _pendingSealBlocks);
            CollectSealRangesLocked(objects, blocks, _outsideRanges, inFlight: +1);
            MergeRanges(_outsideRanges);
            _callsOutsideLock++;
            _sealingThread = Environment.CurrentManagedThreadId;
            StopSealTimerLocked();
        }

        var sealedAll = false;
        try
        {
            SealInFlightHook?.Invoke();
            foreach (var (arena, start, end) in _outsideRanges)
            {
                arena.Protect(start, end - start, readOnly: true);
            }

            sealedAll = true;
        }
        finally
        {
            lock (_sync)
            {
                CountInFlightLocked(objects, blocks, -1);
                if (sealedAll)
                {
                    MarkSealedLocked(objects, blocks);
                }

                // On failure the batch stays unsealed: its bodies are copied on hits, never handed out as sealed.
                objects.Clear();
                blocks.Clear();
                _callsOutsideLock--;
                _sealingThread = 0;
                if (_disposed && _unfreed.Count == 0)
                {
                    DisposeArenasLocked();
                }
            }
        }
    }

    /// <summary>The ranges to make read-only for a batch; counts the seal on its blocks when it runs outside the lock.</summary>
    private void CollectSealRangesLocked(
        List<StoredObject> objects,
        List<(Pageblock Block, int Generation)> blocks,
        List<(Arena Arena, long Start, long End)> ranges,
        int inFlight)
    {
        ranges.Clear();
        foreach (var storedObject in objects)
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
                    ranges.Add((extent.Block.Arena, start, start + extent.Capacity));
                }
            }
        }

        foreach (var (block, generation) in blocks)
        {
            if (IsSealableLocked(block, generation))
            {
                ranges.Add((block.Arena, block.ArenaOffset, block.ArenaOffset + BlockSize));
            }
        }

        if (inFlight != 0)
        {
            CountInFlightLocked(objects, blocks, inFlight);
        }
    }

    /// <summary>
    /// Adds <paramref name="delta"/> to <see cref="Pageblock.SealsInFlight"/> of every block the batch's ranges
    /// touch. Called with +1 and -1 on the same lists, whose members' extents and generations do not change
    /// while the seal is in flight (a freed body keeps its extents; its blocks cannot be reused).
    /// </summary>
    private static void CountInFlightLocked(List<StoredObject> objects, List<(Pageblock Block, int Generation)> blocks, int delta)
    {
        foreach (var storedObject in objects)
        {
            foreach (var extent in storedObject.Extents)
            {
                if (!extent.IsSlot && extent.Capacity > 0)
                {
                    extent.Block.SealsInFlight += delta;
                }
            }
        }

        foreach (var (block, _) in blocks)
        {
            block.SealsInFlight += delta;
        }
    }

    private static void MarkSealedLocked(List<StoredObject> objects, List<(Pageblock Block, int Generation)> blocks)
    {
        foreach (var storedObject in objects)
        {
            if (!storedObject.IsFreed)
            {
                storedObject.RunsSealed = true;
            }
        }

        foreach (var (block, generation) in blocks)
        {
            if (IsSealableLocked(block, generation))
            {
                block.IsSealed = true;
            }
        }

        objects.Clear();
        blocks.Clear();
    }

    private void StopSealTimerLocked()
    {
        if (!_disposed)
        {
            _sealTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private static bool IsSealableLocked(Pageblock block, int generation)
        => block.Generation == generation && block.Kind == PageblockKind.Small && !block.IsSealed;

    /// <summary>Sorts <paramref name="ranges"/> and joins touching ones, so each merged range is one syscall.</summary>
    private static List<(Arena Arena, long Start, long End)> MergeRanges(List<(Arena Arena, long Start, long End)> ranges)
    {
        ranges.Sort(static (a, b) => a.Arena.Index != b.Arena.Index ? a.Arena.Index.CompareTo(b.Arena.Index) : a.Start.CompareTo(b.Start));
        var merged = 0;
        for (var i = 0; i < ranges.Count; i++)
        {
            var current = ranges[i];
            if (merged > 0 && ReferenceEquals(ranges[merged - 1].Arena, current.Arena) && ranges[merged - 1].End >= current.Start)
            {
                var last = ranges[merged - 1];
                ranges[merged - 1] = (last.Arena, last.Start, Math.Max(last.End, current.End));
            }
            else
            {
                ranges[merged++] = current;
            }
        }

        ranges.RemoveRange(merged, ranges.Count - merged);
        return ranges;
    }
}
