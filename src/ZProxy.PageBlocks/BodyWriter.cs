using ZProxy.PageBlocks.Memory;

namespace ZProxy.PageBlocks;

/// <summary>
/// Writes one body into the store, once, as it streams in: append (<see cref="TryAppend"/>, or
/// <see cref="GetMemory"/> and <see cref="Advance"/> to read from the origin straight into store memory),
/// then <see cref="TryCommit"/> under a key, or <see cref="Abort"/>.
/// </summary>
/// <remarks>
/// <para>One writer thread at a time. Readers on other threads may follow the body while it is written
/// through <see cref="OpenReader"/> (request coalescing).</para>
/// <para>A writer that cannot get memory (limit reached with everything leased, or the body grew past
/// <see cref="PageBlockStoreOptions.MaxObjectSize"/>, or past the expected length of a small body) fails:
/// <see cref="IsFailed"/> turns true, <see cref="GetMemory"/> returns empty memory, <see cref="TryAppend"/>
/// and <see cref="TryCommit"/> return false, and the partial body is dropped as by <see cref="Abort"/>.
/// Disposing an uncommitted writer aborts it: an aborted body leaves no trace in the store.</para>
/// </remarks>
public sealed class BodyWriter : IDisposable
{
    private const int Open = 0;
    private const int Committed = 1;
    private const int Aborted = 2;

    private readonly PageBlockStore _store;
    private readonly StoredObject _object;
    private long _expectedLength;
    private volatile StoredObject? _committed;
    private volatile int _state;
    private bool _failed;
    private bool _slotMode;
    private long _length;
    private Pageblock? _block;
    private int _extentOffset;
    private int _extentCapacity;
    private int _extentUsed;
    private int _extentPopulated;
    private bool _extentWarm;
    private int _lastRunPages;

    /// <summary>A writer for a new body; <see cref="Start"/> it before use (the store may create it ahead, as a spare).</summary>
    internal BodyWriter(PageBlockStore store, StoredObject storedObject)
    {
        _store = store;
        _object = storedObject;
    }

    /// <summary>Store-internal, once, when the writer is handed out: the announced length, or -1 when unknown.</summary>
    internal void Start(long expectedLength) => _expectedLength = expectedLength;

    /// <summary>Bytes appended so far.</summary>
    public long Length => _length;

    /// <summary>True when the writer could not store the body; it has been aborted.</summary>
    public bool IsFailed => _failed;

    internal StoredObject StoredObject => _object;

    internal long ExpectedLength => _expectedLength;

    internal bool IsSlotMode => _slotMode;

    /// <summary>Bytes of the current page run faulted in so far (page-aligned); 0 for a slot.</summary>
    internal int CurrentRunPopulated => _slotMode ? 0 : _extentPopulated;

    /// <summary>True when the current page run came from the warm reserve (already populated and writable).</summary>
    internal bool CurrentRunWarm => !_slotMode && _extentWarm;

    /// <summary>Writer-internal: starts in a size-class slot (small body of known length).</summary>
    internal void StartInSlot(BodyExtent slot)
    {
        _slotMode = true;
        _object.AddExtent(slot);
        _block = slot.Block;
        _extentOffset = slot.Offset;
        _extentCapacity = slot.Capacity;
        _extentUsed = 0;
    }

    /// <summary>Writer-internal: the store could not supply the first bytes.</summary>
    internal void MarkFailedAtStart()
    {
        _failed = true;
        AbortCore();
    }

    /// <summary>
    /// Writable store memory at the end of the body. It may be shorter than <paramref name="sizeHint"/> (it
    /// ends where the current slot or page run ends); it is empty only when the writer has failed. Write,
    /// then call <see cref="Advance"/> with the count written.
    /// </summary>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_failed)
        {
            return Memory<byte>.Empty;
        }

        ThrowIfNotOpen();
        _store.NoteWriteActivity();

        if (_block is null || _extentUsed == _extentCapacity)
        {
            if (!TryNextExtent())
            {
                return Memory<byte>.Empty;
            }
        }

        if (!_slotMode)
        {
            PopulateAhead(sizeHint);
        }

        return _block!.Bytes.Slice(_extentOffset + _extentUsed, _extentCapacity - _extentUsed);
    }

    /// <summary>Like <see cref="GetMemory"/>, as a span.</summary>
    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    /// <summary>Commits <paramref name="count"/> bytes written into the memory from <see cref="GetMemory"/>; readers see them at once.</summary>
    public void Advance(int count)
    {
        if (_failed && count == 0)
        {
            return;
        }

        ThrowIfNotOpen();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _extentCapacity - _extentUsed);
        _extentUsed += count;
        _length += count;
        _object.Publish(_length);
        _store.NoteWriteActivity();
    }

    /// <summary>Copies <paramref name="data"/> to the end of the body; false if the writer failed.</summary>
    public bool TryAppend(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var memory = GetMemory(data.Length);
            if (memory.IsEmpty)
            {
                return false;
            }

            var count = Math.Min(memory.Length, data.Length);
            data[..count].CopyTo(memory.Span);
            Advance(count);
            data = data[count..];
        }

        return !_failed;
    }

    /// <summary>
    /// Completes the body and stores it under <paramref name="key"/>, replacing any body stored there
    /// (whose memory is freed when its last lease is returned).
    /// </summary>
    /// <param name="key">The cache key.</param>
    /// <param name="metadata">Opaque data kept with the body (the cache's headers); replaceable later with
    /// <see cref="PageBlockStore.TryReplaceMetadata(ReadOnlySpan{char}, object?, int, ISealedMemoryOwner?)"/>.</param>
    /// <param name="metadataBytes">The size of <paramref name="metadata"/> to charge to the memory limit.</param>
    /// <returns>False when the writer had failed or the metadata could not be charged; the body is then dropped.</returns>
    public bool TryCommit(string key, object? metadata, int metadataBytes)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfNegative(metadataBytes);
        if (_failed)
        {
            return false;
        }

        ThrowIfNotOpen();

        var committed = _store.Commit(this, _length, key, metadata, metadataBytes);
        if (committed is null)
        {
            _failed = true;
            _state = Aborted;
            return false;
        }

        _committed = committed;
        _state = Committed;
        return true;
    }

    /// <summary>Drops the body. Readers following it see <see cref="BodyWaitResult.Aborted"/>. Idempotent.</summary>
    public void Abort()
    {
        if (_state == Open)
        {
            AbortCore();
        }
    }

    /// <summary>
    /// A lease for reading the body while it is written (a coalesced request). Dispose it when done.
    /// After a commit it is a lease on the committed body.
    /// </summary>
    /// <exception cref="InvalidOperationException">The body was aborted and is already gone.</exception>
    public BodyLease OpenReader()
    {
        var target = _committed ?? _object;
        return _store.TryLeaseObject(target, out var lease)
            ? lease
            : throw new InvalidOperationException("The body is gone (aborted, or committed and already evicted).");
    }

    /// <summary>Aborts the body unless it was committed.</summary>
    public void Dispose() => Abort();

    private void AbortCore()
    {
        _state = Aborted;
        _store.AbortWriter(this);
    }

    private bool TryNextExtent()
    {
        if (_slotMode || _length >= _store.MaxObjectSize)
        {
            // A small body of announced length that grew past its slot, or a body past the maximum size.
            Fail();
            return false;
        }

        var pageSize = _store.PageSize;
        var maxPages = _store.PagesPerBlock;
        int wantPages;
        if (_expectedLength >= 0 && _expectedLength > _length)
        {
            wantPages = (int)Math.Clamp((_expectedLength - _length + pageSize - 1) / pageSize, 1, maxPages);
        }
        else
        {
            // Unknown length (or more than announced): runs start at 4 pages and grow fourfold, so a 64 KiB body
            // is two runs, not the five of doubling from one page (each run is a trip to the store lock and a
            // segment on every hit). The untouched tail of the last run goes back at commit, so a short body
            // still ends up holding only the pages it wrote.
            wantPages = Math.Clamp(_lastRunPages == 0 ? 4 : _lastRunPages * 4, 1, maxPages);
        }

        var remainingAllowed = _store.MaxObjectSize - _length;
        wantPages = (int)Math.Min(wantPages, (remainingAllowed + pageSize - 1) / pageSize);
        if (!_store.TryAllocateRun(wantPages, out var run, out var warm))
        {
            Fail();
            return false;
        }

        _object.AddExtent(run);
        _block = run.Block;
        _extentOffset = run.Offset;
        _extentCapacity = (int)Math.Min(run.Capacity, remainingAllowed);
        _extentUsed = 0;
        _extentPopulated = 0;
        _extentWarm = warm;
        _lastRunPages = run.Capacity / pageSize;
        return true;
    }

    /// <summary>
    /// Faults in the pages about to be written in one call rather than one fault per page (a VM exit each on
    /// a virtual machine; nothing to do for a run from the warm reserve), and only those: pages of the run past what is populated stay untouched, so
    /// trimming them at commit returns them without a punch. Then prefetches the first line of each of those
    /// pages (<see cref="Pageblock.PrefetchPages"/>).
    /// </summary>
    private void PopulateAhead(int sizeHint)
    {
        var pageSize = _store.PageSize;
        var wanted = _extentUsed + Math.Max(sizeHint, 1);
        var end = (int)Math.Min(_extentCapacity, ((long)wanted + pageSize - 1) / pageSize * pageSize);
        var start = Math.Max(_extentPopulated, _extentUsed / pageSize * pageSize);

        // Warm pages are populated already; only the touched extent is tracked (for trimming at commit).
        if (!_extentWarm && end - start >= 2 * pageSize)
        {
            _block!.Arena.Populate(_block.ArenaOffset + _extentOffset + start, end - start);
        }

        if (end > start)
        {
            _block!.PrefetchPages(_extentOffset + start, end - start, pageSize);
        }

        _extentPopulated = Math.Max(_extentPopulated, end);
    }

    private void Fail()
    {
        _failed = true;
        AbortCore();
    }

    private void ThrowIfNotOpen()
    {
        if (_state != Open)
        {
            throw new InvalidOperationException(_state == Committed ? "The body is committed." : "The body was aborted.");
        }
    }
}
