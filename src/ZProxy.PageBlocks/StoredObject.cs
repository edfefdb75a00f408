using System.Buffers;
using System.Diagnostics;
using ZProxy.PageBlocks.Eviction;
using ZProxy.PageBlocks.Memory;

namespace ZProxy.PageBlocks;

/// <summary>
/// One body in the store, with the metadata the cache attached to it: written once by a
/// <see cref="BodyWriter"/>, then immutable until its last reference is released.
/// </summary>
/// <remarks>
/// References: the writer holds one while writing; on commit it passes to the index; each lease and
/// each <see cref="Retain"/> adds one. The memory is given back (and punched) when the count reaches
/// zero, which can only happen after the object has left the index.
/// </remarks>
internal sealed class StoredObject : SieveNode, ISealedMemoryOwner
{
    private const int Writing = 0;
    private const int Complete = 1;
    private const int Aborted = 2;

    private int _refs = 1;
    private volatile int _state;
    private long _available;
    private BodyExtent[] _extents;
    private volatile int _extentCount;
    private TaskCompletionSource? _signal;
    private ReadOnlySequence<byte> _sequence;
    private volatile object? _metadata;
    private volatile bool _runsSealed;
    private BodySequenceSegment? _spareSegment0;
    private BodySequenceSegment? _spareSegment1;

    public StoredObject(PageBlockStore store, int extentCapacity)
    {
        Store = store;
        _extents = new BodyExtent[Math.Max(1, extentCapacity)];
    }

    public PageBlockStore Store { get; }

    /// <summary>Set at commit; null while writing.</summary>
    public string? Key { get; set; }

    /// <summary>The opaque metadata; replaced atomically (a single reference store).</summary>
    public object? Metadata
    {
        get => _metadata;
        set => _metadata = value;
    }

    /// <summary>Bytes charged for the metadata (and the object's own bookkeeping). Store lock.</summary>
    public long MetadataBytes { get; set; }

    /// <summary>True while the index references the object. Store lock.</summary>
    public bool InIndex { get; set; }

    /// <summary>True once the memory has been returned. Store lock.</summary>
    public bool IsFreed { get; set; }

    /// <summary>True once the page runs are read-only (a batched mprotect after commit). Written under the store lock, read by anyone.</summary>
    public bool RunsSealed
    {
        get => _runsSealed;
        set => _runsSealed = value;
    }

    /// <summary>True when the length is counted in the store's body bytes. Store lock.</summary>
    public bool CountedBody { get; set; }

    /// <summary>Bytes written and readable so far; the final length once complete.</summary>
    public long Available => Volatile.Read(ref _available);

    public bool IsComplete => _state == Complete;

    public bool IsAborted => _state == Aborted;

    public int ExtentCount => _extentCount;

    public int RefCount => Volatile.Read(ref _refs);

    /// <summary>True when every byte lies in sealed (read-only) memory, so it may be sent by reference.</summary>
    public bool IsSealed
    {
        get
        {
            if (_state != Complete)
            {
                return false;
            }

            var count = _extentCount;
            var extents = Volatile.Read(ref _extents);
            for (var i = 0; i < count; i++)
            {
                // Page runs are sealed in a batch soon after commit; a slot only when its whole block is.
                if (extents[i].IsSlot ? !extents[i].Block.IsSealed : !_runsSealed && extents[i].Capacity > 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public ReadOnlySequence<byte> Sequence => _sequence;

    public ReadOnlySpan<BodyExtent> Extents => _extents.AsSpan(0, _extentCount);

    /// <summary>The extent array and count, for lock-free enumeration by readers.</summary>
    public BodyExtent[] ExtentArray => Volatile.Read(ref _extents);

    /// <summary>Takes a reference unless the object is already dead (count zero). Lock-free.</summary>
    public bool TryAcquire()
    {
        var refs = Volatile.Read(ref _refs);
        while (refs > 0)
        {
            var seen = Interlocked.CompareExchange(ref _refs, refs + 1, refs);
            if (seen == refs)
            {
                return true;
            }

            refs = seen;
        }

        return false;
    }

    /// <inheritdoc/>
    public void Retain()
    {
        var refs = Interlocked.Increment(ref _refs);
        if (refs <= 1)
        {
            // The caller had no reference: the object may already be freed. Undo and fail loudly.
            Interlocked.Decrement(ref _refs);
            throw new InvalidOperationException("Retain() needs a reference that is still held (a lease or an earlier Retain).");
        }
    }

    /// <inheritdoc/>
    public void Release() => Store.ReleaseReference(this);

    /// <summary>Drops one reference; true when it was the last. Throws on more releases than acquires.</summary>
    public bool DropReference()
    {
        var refs = Interlocked.Decrement(ref _refs);
        if (refs < 0)
        {
            Interlocked.Increment(ref _refs);
            throw new InvalidOperationException("A stored body was released more times than it was acquired.");
        }

        return refs == 0;
    }

    /// <summary>Before writing: room for <paramref name="capacity"/> extents, so appending them allocates nothing.</summary>
    public void EnsureExtentCapacity(int capacity)
    {
        if (_extentCount == 0 && _extents.Length < capacity)
        {
            _extents = new BodyExtent[capacity];
        }
    }

    /// <summary>Writer only: appends an extent; readers see it once <see cref="Publish"/> moves past it.</summary>
    public void AddExtent(BodyExtent extent)
    {
        var count = _extentCount;
        if (count == _extents.Length)
        {
            var grown = new BodyExtent[count * 2];
            _extents.AsSpan().CopyTo(grown);

            // Publish the larger array before the count that needs it.
            Volatile.Write(ref _extents, grown);
        }

        _extents[count] = extent;
        _extentCount = count + 1;
    }

    /// <summary>Writer only: the last extent shrinks after its unused pages were trimmed.</summary>
    public void ReplaceLastExtent(BodyExtent extent) => _extents[_extentCount - 1] = extent;

    /// <summary>Writer only: makes bytes up to <paramref name="available"/> readable and wakes waiters.</summary>
    public void Publish(long available)
    {
        Volatile.Write(ref _available, available);
        if (Volatile.Read(ref _signal) is not null)
        {
            Interlocked.Exchange(ref _signal, null)?.TrySetResult();
        }
    }

    /// <summary>Marks the body complete: builds its sequence and wakes waiters.</summary>
    public void MarkComplete(long length)
    {
        Debug.Assert(length == Available, "All bytes are published before completion.");
        _sequence = BuildSequence(length);

        // Unused spares would live as long as the body does.
        _spareSegment0 = null;
        _spareSegment1 = null;
        _state = Complete;
        Interlocked.Exchange(ref _signal, null)?.TrySetResult();
    }

    public void MarkAborted()
    {
        _state = Aborted;
        Interlocked.Exchange(ref _signal, null)?.TrySetResult();
    }

    /// <summary>The readable bytes starting at <paramref name="position"/>, up to the end of their extent.</summary>
    public bool TryGetMemory(long position, out ReadOnlyMemory<byte> memory)
    {
        var available = Available;
        if (position < 0 || position >= available)
        {
            memory = default;
            return false;
        }

        var count = _extentCount;
        var extents = Volatile.Read(ref _extents);
        long start = 0;
        for (var i = 0; i < count; i++)
        {
            var extent = extents[i];
            var end = start + extent.Capacity;
            if (position < end)
            {
                var length = (int)(Math.Min(end, available) - position);
                memory = extent.Block.Bytes.Slice(extent.Offset + (int)(position - start), length);
                return true;
            }

            start = end;
        }

        memory = default;
        return false;
    }

    public ValueTask<BodyWaitResult> WaitAsync(long position, CancellationToken cancellationToken)
    {
        var result = Check(position);
        return result.HasValue ? new ValueTask<BodyWaitResult>(result.Value) : WaitSlowAsync(position, cancellationToken);
    }

    private async ValueTask<BodyWaitResult> WaitSlowAsync(long position, CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _signal);
            if (signal is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = Interlocked.CompareExchange(ref _signal, created, null) ?? created;
            }

            // Re-check after the signal is installed: a writer that published before it saw no waiter.
            var result = Check(position);
            if (result.HasValue)
            {
                return result.Value;
            }

            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private BodyWaitResult? Check(long position)
    {
        var state = _state;
        if (state == Aborted)
        {
            return BodyWaitResult.Aborted;
        }

        if (Available > position)
        {
            return BodyWaitResult.Available;
        }

        return state == Complete ? BodyWaitResult.Completed : null;
    }

    private ReadOnlySequence<byte> BuildSequence(long length)
    {
        var count = _extentCount;
        if (count == 0 || length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (count == 1)
        {
            var only = _extents[0];
            return new ReadOnlySequence<byte>(only.Block.Bytes.Slice(only.Offset, (int)length));
        }

        BodySequenceSegment? first = null;
        BodySequenceSegment? last = null;
        var remaining = length;
        for (var i = 0; i < count && remaining > 0; i++)
        {
            var extent = _extents[i];
            var take = (int)Math.Min(extent.Capacity, remaining);
            var memory = extent.Block.Bytes.Slice(extent.Offset, take);
            if (last is null)
            {
                first = TakeSpareSegment() ?? new BodySequenceSegment();
                first.Set(memory, 0);
                last = first;
            }
            else
            {
                last = last.Append(memory, TakeSpareSegment());
            }

            remaining -= take;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>
    /// Spare writers only, made ahead by the reserve worker: the two segments of a body written in two runs (an
    /// unknown length up to 80 KiB), so its commit allocates nothing either.
    /// </summary>
    public void PrepareSpareSegments()
    {
        _spareSegment0 = new BodySequenceSegment();
        _spareSegment1 = new BodySequenceSegment();
    }

    /// <summary>A segment made ahead, if any is left.</summary>
    private BodySequenceSegment? TakeSpareSegment()
    {
        var spare = _spareSegment0;
        if (spare is not null)
        {
            _spareSegment0 = null;
            return spare;
        }

        spare = _spareSegment1;
        _spareSegment1 = null;
        return spare;
    }
}
