using System.Diagnostics;
using System.Numerics;
using ZProxy.PageBlocks.Memory;

namespace ZProxy.PageBlocks;

/// <summary>
/// The warm reserve (<see cref="PageBlockStoreOptions.WarmReserve"/>): whole free pageblocks that are already
/// punched, populated and writable, so a writer's copy-in is a memcpy. On this project's Firecracker VM a
/// fresh page costs tens of microseconds per 64 KiB whether it is faulted or populated, and every mprotect
/// or fallocate call is a TLB shootdown; one background worker per store pays all of that off the request
/// path, in large merged calls: it seals queued batches, evicts to keep room, punches (and un-seals) freed
/// memory, and populates blocks into the reserve.
/// </summary>
/// <remarks>
/// <para>The punch-hole rule still holds: a block enters the reserve only from the free pool, that is after
/// every object in it is gone, no lease holds it, and its pages were punched (or never used). Populating
/// it after the punch gives fresh zeroed pages, never pages a sendfile may still read.</para>
/// <para>Accounting: warm pages are charged to the limit as reserve (<see cref="_reserveBytes"/>) from the
/// moment the worker takes their block. A writer that takes warm pages turns their charge into data, so its
/// allocation needs no room and no eviction. Warm pages a writer did not use stay warm (and charged), inside
/// its block, until that block is emptied, when they are punched with it.</para>
/// </remarks>
public sealed partial class PageBlockStore
{
    /// <summary>How many quiet periods the worker keeps polling after its last pass before it sleeps until signalled.</summary>
    private const int IdlePollsBeforeSleep = 100;

    private readonly Stack<Pageblock> _warmBlocks = new();
    private bool _manualRefill;
    private long _reserveTarget;
    private long _reserveLowWater;
    private long _headroom;
    private long _reserveBytes;
    private long _reserveMisses;
    private long _reserveRefilledBlocks;
    private long _workerTicks;

    /// <summary>Seals, punches and populates running outside the lock: the arenas stay mapped until none is.</summary>
    private int _callsOutsideLock;

    private bool _workRequested;
    private int _passesRunning;
    private long _passesDone;

    /// <summary>When the worker seals a batch that has not filled (<see cref="Environment.TickCount64"/>); see <see cref="ScheduleWorkerSealLocked"/>.</summary>
    private long _sealDueMs = long.MaxValue;

    /// <summary>Set with a request that must not wait for writers to go quiet (see <see cref="WaitForQuietWriters"/>).</summary>
    private volatile bool _workUrgent;

    /// <summary>Bumped by writers at every copy-in step, without a lock (a lost bump is harmless): the worker
    /// only asks whether it moved.</summary>
    private long _writeActivity;
    private int _quietPeriodMs;
    private int _maxDelayMs;

    /// <summary>
    /// The worker is blocked in <see cref="WaitForWork"/> without polling, so only a signal (or its seal deadline)
    /// wakes it. Otherwise it is polling, running a pass or waiting for a gap between copy-ins, and sees a routine
    /// request or a seal deadline without one: the writer that makes it saves a futex wake.
    /// </summary>
    private bool _workerAsleep;
    private Thread? _worker;
    private AutoResetEvent? _workSignal;
    private volatile bool _stopWorker;
    private Exception? _workerError;

    /// <summary>Charged bytes: data, metadata, freed-but-unpunched pages, and the warm reserve.</summary>
    private long UsedBytesLocked => _chargedData + _chargedMetadata + _dirtyBytes + _reserveBytes;

    /// <summary>The worker thread, for tests that check it stops.</summary>
    internal Thread? ReserveWorker => _worker;

    /// <summary>
    /// True when no populate is in flight and the worker has no pass pending: the reserve is as full as it
    /// will get. Benchmarks wait for it to include the refill work in a sustained figure.
    /// </summary>
    internal bool IsReserveSettled
    {
        get
        {
            lock (_sync)
            {
                return _callsOutsideLock == 0 && !_workRequested;
            }
        }
    }

    /// <summary>The failure that stopped the reserve, if any (the store then runs without it).</summary>
    internal Exception? ReserveWorkerError => _workerError;

    private void InitializeReserve(PageBlockStoreOptions options)
    {
        // An eighth of the limit at most, in whole blocks: the reserve is charged to the limit, so it must not
        // crowd out the bodies it serves.
        var target = Math.Min(options.WarmReserve.Bytes, MemoryLimit / 8) / BlockSize * BlockSize;
        _reserveTarget = target;
        _manualRefill = options.ManualReserveRefill;
        _quietPeriodMs = (int)Math.Ceiling(options.WorkerQuietPeriod.TotalMilliseconds);
        _maxDelayMs = (int)Math.Ceiling(options.WorkerMaxDelay.TotalMilliseconds);

        // Refill once a quarter is used, so each refill is a batch of merged calls, not one call per block.
        _reserveLowWater = target - Math.Max(BlockSize, target / 4 / BlockSize * BlockSize) + 1;
        _headroom = target == 0 ? 0 : Math.Max(BlockSize, target / 4 / BlockSize * BlockSize);
    }

    /// <summary>
    /// Does the worker's job once on the calling thread: seals what is queued, evicts to make room for the
    /// reserve and its headroom, punches freed memory, then populates blocks into the reserve up to its
    /// target. The seal, punch and populate syscalls run outside the store lock. Safe to call beside the
    /// worker (tests and benchmarks call it to start from a full reserve).
    /// </summary>
    internal void RefillReserve()
    {
        lock (_sync)
        {
            _passesRunning++;
        }

        try
        {
            RefillReserveCore();
            TopUpSpareWriters();
        }
        finally
        {
            lock (_sync)
            {
                _passesRunning--;
                _passesDone++;
            }
        }
    }

    private void RefillReserveCore()
    {
        var started = Stopwatch.GetTimestamp();
        List<Pageblock> batch;
        lock (_sync)
        {
            _workRequested = false;
            _workUrgent = false;
            if (_disposed)
            {
                return;
            }
        }

        SealOutsideLock();
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            // Seals queued since wait for their batch (or the seal timer): sealing them here would hold the lock.
            if (_reserveTarget == 0)
            {
                return;
            }

            MakeRoomForReserveLocked();
        }

        // Freed memory (and what the evictions above freed) is punched with the lock free for writers.
        PunchOutsideLock();
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            batch = TakeBlocksForReserveLocked();
            if (batch.Count == 0)
            {
                _workerTicks += Stopwatch.GetTimestamp() - started;
                return;
            }

            // Arenas stay mapped while any call outside the lock runs (see DisposeArenasLocked).
            _callsOutsideLock++;
        }

        try
        {
            PopulateOutsideLock(batch);
        }
        finally
        {
            lock (_sync)
            {
                _callsOutsideLock--;
                foreach (var block in batch)
                {
                    block.Kind = PageblockKind.Warm;
                    _warmBlocks.Push(block);
                }

                _reserveRefilledBlocks += batch.Count;
                _workerTicks += Stopwatch.GetTimestamp() - started;
                if (_disposed && _unfreed.Count == 0)
                {
                    DisposeArenasLocked();
                }
            }
        }
    }

    /// <summary>
    /// Benchmarks: asks the worker for a routine pass, as a writer's commit would; it runs in the next gap
    /// between copy-ins. Without a worker thread (manual refill), nothing happens until <see cref="RefillReserve"/>.
    /// </summary>
    /// <returns>The <see cref="ReservePassesDone"/> count at which a pass that started after this request has ended.</returns>
    internal long RequestReserveRefill()
    {
        lock (_sync)
        {
            RequestWorkLocked();

            // A pass under way took its request before this one: the pass after it serves this one.
            return _passesDone + _passesRunning + 1;
        }
    }

    /// <summary>Passes of <see cref="RefillReserve"/> (the worker's or a caller's) that have ended.</summary>
    internal long ReservePassesDone
    {
        get
        {
            lock (_sync)
            {
                return _passesDone;
            }
        }
    }

    /// <summary>
    /// Asks the worker for a pass when the reserve is low or the headroom is used up; urgently (no waiting for
    /// writers to go quiet) when half the reserve is gone or commits are about to be short of room.
    /// </summary>
    private void MaybeRequestWorkLocked()
    {
        if (_reserveTarget == 0 || _workUrgent)
        {
            return;
        }

        // Room: commits that do not take warm pages (small slots, metadata, a missed reserve) need it, and when
        // it runs out they evict on the request path.
        var room = MemoryLimit - UsedBytesLocked;
        if (_reserveBytes < _reserveTarget / 2 || room < _headroom / 4)
        {
            RequestWorkLocked(urgent: true);
        }
        else if (_reserveBytes < _reserveLowWater || room < _headroom * 3 / 4)
        {
            RequestWorkLocked();
        }
    }

    private void RequestWorkLocked(bool urgent = false)
    {
        if (_disposed || _reserveTarget == 0 || (_workRequested && (!urgent || _workUrgent)))
        {
            return;
        }

        _workRequested = true;
        _workUrgent |= urgent;
        if (_manualRefill)
        {
            return;
        }

        EnsureWorkerLocked();

        // An urgent request also ends a wait for a gap (WaitForQuietWriters).
        if (urgent || _workerAsleep)
        {
            _workSignal!.Set();
        }
    }

    /// <summary>True when a worker thread does the seals, punches and refills (the reserve is on and not refilled by hand).</summary>
    private bool HasReserveWorkerLocked => _reserveTarget > 0 && !_manualRefill && !_disposed;

    /// <summary>
    /// The first seal of a batch was queued: the worker seals by <paramref name="dueMs"/> (<see cref="Environment.TickCount64"/>)
    /// if the batch has not filled by then. A polling or busy worker sees the deadline when it next looks for
    /// work; a sleeping one is woken to take it into its wait.
    /// </summary>
    private void ScheduleWorkerSealLocked(long dueMs)
    {
        _sealDueMs = dueMs;
        EnsureWorkerLocked();
        if (_workerAsleep)
        {
            _workSignal!.Set();
        }
    }

    private void EnsureWorkerLocked()
    {
        if (_worker is null)
        {
            // One thread per store, started by the first writer; it only sleeps when there is nothing to do.
            _workSignal = new AutoResetEvent(false);
            _worker = new Thread(static state => ((PageBlockStore)state!).WorkerLoop())
            {
                IsBackground = true,
                Name = "ZProxy store reserve",
            };
            _worker.Start(this);
        }
    }

    private void WorkerLoop()
    {
        while (true)
        {
            WaitForWork();
            WaitForQuietWriters();
            if (_stopWorker)
            {
                return;
            }

            try
            {
                RefillReserve();
            }
            catch (Exception error)
            {
                // A failed syscall here would fail the request path just the same; without the worker the store
                // still works (writers populate their own pages), so stop the reserve rather than the process.
                lock (_sync)
                {
                    _workerError = error;
                    _reserveTarget = 0;
                    if (PendingSealCountLocked > 0 && !_disposed)
                    {
                        // The seal deadline was the worker's: the timer takes it over.
                        ArmSealTimerLocked();
                    }
                }

                return;
            }
        }
    }

    /// <summary>
    /// Returns when a pass is asked for (or the worker is stopped). After a pass the worker polls for a while,
    /// once per quiet period, so the writer whose commit asks for the next routine pass (a full seal batch, the
    /// reserve at its low-water mark) does not have to wake it: waking a sleeping thread is a futex call and a
    /// cross-CPU interrupt, which cost that writer 50 to 170 µs on this project's VM (RESULTS.md). After
    /// <see cref="IdlePollsBeforeSleep"/> periods with nothing asked, an idle store's worker sleeps until signalled,
    /// or until the seal deadline of a batch that has not filled (<see cref="ScheduleWorkerSealLocked"/>).
    /// </summary>
    private void WaitForWork()
    {
        var polls = 0;
        while (true)
        {
            bool poll;
            var timeoutMs = Timeout.Infinite;
            lock (_sync)
            {
                var sealsPending = PendingSealCountLocked > 0;
                var untilSealMs = Math.Max(0, _sealDueMs - Environment.TickCount64);
                if (sealsPending && untilSealMs == 0)
                {
                    // A batch that did not fill within the seal delay: sealed by a routine pass.
                    _workRequested = true;
                }

                if (_workRequested || _stopWorker)
                {
                    _workerAsleep = false;
                    return;
                }

                // Decided under the lock that requests are made under: a request sees either a polling worker or
                // one that it must signal.
                poll = _quietPeriodMs > 0 && polls < IdlePollsBeforeSleep;
                _workerAsleep = !poll;
                if (poll)
                {
                    timeoutMs = _quietPeriodMs;
                }
                else if (sealsPending)
                {
                    timeoutMs = (int)Math.Min(untilSealMs, int.MaxValue);
                }
            }

            _workSignal!.WaitOne(timeoutMs);
            if (poll)
            {
                polls++;
            }
        }
    }

    /// <summary>
    /// Holds a pass that is not urgent until writers have copied nothing for <see cref="PageBlockStoreOptions.WorkerQuietPeriod"/>,
    /// for at most <see cref="PageBlockStoreOptions.WorkerMaxDelay"/>. Every seal, punch and populate changes the
    /// process's page tables; on this project's VM (PVM, shadow page tables) each change goes through the
    /// hypervisor and stalls the threads on the other CPU, so a copy-in overlapping one took 5 to 10 times as
    /// long (RESULTS.md). Moved into the gaps between copy-ins, a burst of fills copies at memcpy speed while
    /// the reserve lasts; an urgent request (half the reserve used, room short, a writer that missed the
    /// reserve, or Dispose) ends the wait at once.
    /// </summary>
    private void WaitForQuietWriters()
    {
        if (_quietPeriodMs == 0 || _maxDelayMs == 0)
        {
            return;
        }

        var deadline = Environment.TickCount64 + _maxDelayMs;
        while (!_stopWorker && !_workUrgent)
        {
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0)
            {
                return;
            }

            var seen = Volatile.Read(ref _writeActivity);
            if (!_workSignal!.WaitOne((int)Math.Min(_quietPeriodMs, remaining)) && Volatile.Read(ref _writeActivity) == seen)
            {
                return;
            }
        }
    }

    /// <summary>A writer is copying: the worker's routine passes wait for a gap (see <see cref="WaitForQuietWriters"/>).</summary>
    internal void NoteWriteActivity() => _writeActivity++;

    /// <summary>Stops the worker and waits for it (called by Dispose, outside the store lock).</summary>
    private void StopWorker()
    {
        Thread? worker;
        lock (_sync)
        {
            worker = _worker;
            _stopWorker = true;
        }

        if (worker is null)
        {
            return;
        }

        _workSignal!.Set();
        worker.Join();
        _workSignal.Dispose();
    }

    /// <summary>Evicts until bodies leave room for a full reserve plus the headroom, once freed pages are punched.</summary>
    private void MakeRoomForReserveLocked()
    {
        // Bounded: victims still leased free nothing now, and a pass must not empty the cache chasing them.
        var budget = (2 * (int)((_reserveTarget + _headroom) / BlockSize)) + 64;
        while (budget-- > 0
            && _chargedData + _chargedMetadata + Math.Max(_reserveBytes, _reserveTarget) + _headroom > MemoryLimit
            && EvictOneLocked())
        {
        }
    }

    /// <summary>Takes free (punched or never used) blocks for the reserve and charges them; populated by the caller.</summary>
    private List<Pageblock> TakeBlocksForReserveLocked()
    {
        var batch = new List<Pageblock>();
        while (_reserveBytes + BlockSize <= _reserveTarget && UsedBytesLocked + BlockSize + _headroom <= MemoryLimit)
        {
            if (!_freeBlocks.TryPop(out var block))
            {
                if (_arenas.Count < _maxArenas)
                {
                    GrowLocked();
                    continue;
                }

                break;
            }

            block.ResetToWarm(PageblockKind.Warming, _fullPagesMask);
            _reserveBytes += BlockSize;
            batch.Add(block);
        }

        return batch;
    }

    /// <summary>Populates the batch in merged calls (neighbouring blocks in one madvise).</summary>
    private void PopulateOutsideLock(List<Pageblock> batch)
    {
        batch.Sort(static (a, b) => a.Arena.Index != b.Arena.Index ? a.Arena.Index.CompareTo(b.Arena.Index) : a.ArenaOffset.CompareTo(b.ArenaOffset));
        var i = 0;
        while (i < batch.Count)
        {
            var arena = batch[i].Arena;
            var start = batch[i].ArenaOffset;
            var end = start + BlockSize;
            i++;
            while (i < batch.Count && ReferenceEquals(batch[i].Arena, arena) && batch[i].ArenaOffset == end)
            {
                end += BlockSize;
                i++;
            }

            arena.Prefault(start, end - start);
        }
    }

    /// <summary>
    /// A run of <paramref name="wantPages"/> pages that are all warm: an exact hole of warm pages left in a
    /// block a writer took from the reserve, else a whole warm block. No room needed: the charge moves from
    /// reserve to data.
    /// </summary>
    private bool TryTakeWarmRunLocked(int wantPages, out BodyExtent run)
    {
        if (_reserveBytes > 0)
        {
            if (wantPages < PagesPerBlock)
            {
                var scanned = 0;
                for (var i = _partialPages.Count - 1; i >= 0 && scanned < 64; i--, scanned++)
                {
                    var block = _partialPages[i];
                    if (block.WarmPages == 0)
                    {
                        continue;
                    }

                    var (start, length) = FindFreeRun(~block.WarmPages, wantPages);
                    if (length == wantPages)
                    {
                        run = ClaimLocked(block, start, length);
                        return true;
                    }
                }
            }

            if (_warmBlocks.TryPop(out var warm))
            {
                warm.Kind = PageblockKind.Pages;
                run = ClaimLocked(warm, 0, wantPages);
                return true;
            }
        }

        run = default;
        return false;
    }

    /// <summary>A writer needed fresh pages and the reserve had none: counted, and the worker is woken.</summary>
    private void NoteReserveMissLocked()
    {
        if (_reserveTarget > 0)
        {
            _reserveMisses++;
            RequestWorkLocked(urgent: true);
        }
    }

    /// <summary>Turns the warm pages in <paramref name="mask"/> from reserve into data (they are being claimed).</summary>
    /// <returns>How many of the pages were warm.</returns>
    private int ClaimWarmPagesLocked(Pageblock block, ulong mask)
    {
        var warm = mask & block.WarmPages;
        if (warm == 0)
        {
            return 0;
        }

        block.WarmPages &= ~warm;
        var count = BitOperations.PopCount(warm);
        _reserveBytes -= (long)count * PageSize;
        return count;
    }

    /// <summary>
    /// A block being emptied is punched whole, so its remaining warm pages go too: their charge moves from
    /// reserve to freed-but-unpunched until the punch.
    /// </summary>
    private long FoldWarmIntoDirtyLocked(Pageblock block)
    {
        var warm = block.WarmPages;
        if (warm == 0)
        {
            return 0;
        }

        block.WarmPages = 0;
        var bytes = (long)BitOperations.PopCount(warm) * PageSize;
        _reserveBytes -= bytes;
        _dirtyBytes += bytes;
        block.DirtyBytes += bytes;
        block.DirtyPages |= warm;
        return bytes;
    }

    /// <summary>Last resort when nothing is left to evict: a warm block leaves the reserve (punched at the next flush).</summary>
    private bool TryDropWarmBlockLocked()
    {
        if (!_warmBlocks.TryPop(out var block))
        {
            return false;
        }

        block.WarmPages = 0;
        block.Kind = PageblockKind.Dirty;
        block.DirtyBytes = BlockSize;
        _reserveBytes -= BlockSize;
        _dirtyBytes += BlockSize;
        AddDirtyLocked(block);
        return true;
    }
}
