using System.Buffers;

namespace ZProxy.PageBlocks;

/// <summary>
/// A reader's hold on a stored body: while it is held, the body's memory stays mapped and unchanged,
/// even if the body is evicted, removed or replaced meanwhile.
/// </summary>
/// <remarks>
/// <para>Ownership: whoever received the lease (from <see cref="PageBlockStore.TryLease(ReadOnlySpan{char}, out BodyLease)"/>
/// or <see cref="BodyWriter.OpenReader"/>) disposes it exactly once, when done with the memory. The lease
/// is a struct over the body's reference count, so taking and returning one allocates nothing; do not
/// dispose copies of it separately. With <see cref="PageBlockStoreOptions.TrackLeases"/> (Debug and tests)
/// a second dispose throws; in Release it is not always detected and can free memory still in use.</para>
/// <para>To keep segments past the lease (the transport, until the kernel has taken them), call
/// <see cref="ISealedMemoryOwner.Retain"/> on <see cref="Owner"/> before disposing the lease, and
/// <see cref="ISealedMemoryOwner.Release"/> later.</para>
/// <para>Never write to the memory: once sealed it is read-only and a write kills the process.</para>
/// </remarks>
public readonly struct BodyLease : IDisposable
{
    private readonly StoredObject? _object;
    private readonly object? _metadata;
    private readonly long _trackingId;

    internal BodyLease(StoredObject storedObject, object? metadata, long trackingId)
    {
        _object = storedObject;
        _metadata = metadata;
        _trackingId = trackingId;
    }

    /// <summary>False for the default value (no lease).</summary>
    public bool IsValid => _object is not null;

    /// <summary>The metadata attached at commit (or by the latest replacement before the lease was taken); null while the body is being written.</summary>
    public object? Metadata => _metadata;

    /// <summary>The body length when complete; while it is being written, the bytes readable so far.</summary>
    public long Length => Object.Available;

    /// <summary>True when every byte has been written and committed.</summary>
    public bool IsComplete => Object.IsComplete;

    /// <summary>True when the writer aborted: the body must not be served.</summary>
    public bool IsAborted => Object.IsAborted;

    /// <summary>
    /// True when every byte lies in sealed (read-only) memory and may be sent by reference. False while the
    /// body is being written, and for a small body whose pageblock is not full yet: copy those (ZCopy §3.2.3
    /// also sends data of an unsealed pageblock through the normal path).
    /// </summary>
    public bool IsSealed => Object.IsSealed;

    /// <summary>The owner to <see cref="ISealedMemoryOwner.Retain"/> for keeping segments beyond this lease.</summary>
    public ISealedMemoryOwner Owner => Object;

    /// <summary>The whole body over the mapping, without copying. Only for a complete body.</summary>
    public ReadOnlySequence<byte> Body
        => Object.IsComplete ? Object.Sequence : throw new InvalidOperationException("The body is not complete; use TryGetMemory and WaitAsync.");

    /// <summary>The readable bytes as segments with their memfd offsets, for a gathered send or sendfile.</summary>
    public SealedSegmentEnumerable Segments => new(Object);

    private StoredObject Object => _object ?? throw new InvalidOperationException("The lease is empty.");

    /// <summary>
    /// The bytes readable from <paramref name="position"/> up to the end of their contiguous piece; false
    /// when none are readable there yet (or the position is past the end).
    /// </summary>
    public bool TryGetMemory(long position, out ReadOnlyMemory<byte> memory) => Object.TryGetMemory(position, out memory);

    /// <summary>
    /// Completes when the byte at <paramref name="position"/> is readable (<see cref="BodyWaitResult.Available"/>),
    /// when the body is complete and ends at or before it (<see cref="BodyWaitResult.Completed"/>), or when the
    /// writer aborted (<see cref="BodyWaitResult.Aborted"/>). Synchronous and allocation-free when the answer is known.
    /// </summary>
    public ValueTask<BodyWaitResult> WaitAsync(long position, CancellationToken cancellationToken = default)
        => Object.WaitAsync(position, cancellationToken);

    /// <summary>Returns the lease. Call exactly once.</summary>
    public void Dispose()
    {
        if (_object is not null)
        {
            _object.Store.ReleaseLease(_object, _trackingId);
        }
    }
}
