using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ZProxy.PageBlocks.Eviction;
using ZProxy.PageBlocks.Memory;

namespace ZProxy.PageBlocks;

/// <summary>
/// The twin-allocator body store (ZCopy §3.2): cached bodies written once into memfd-backed pageblocks,
/// sealed read-only, read by reference under leases, evicted by SIEVE under a hard memory limit.
/// </summary>
/// <remarks>
/// <para>Reads (<see cref="TryLease(ReadOnlySpan{char}, out BodyLease)"/>) take no lock and allocate nothing.
/// Writes, commits, eviction and reclaim serialize on one store lock; they are rare next to reads.</para>
/// <para>Dispose the store only after every lease and retained segment has been returned: with any still
/// outstanding, Dispose leaves the memory mapped (a leak) rather than unmap bytes someone may read.</para>
/// </remarks>
public sealed partial class PageBlockStore : IDisposable
{
    /// <summary>Bytes charged per stored object beyond its metadata: the object, its index entry, its key.</summary>
    internal const int ObjectOverheadBytes = 192;

    private readonly Lock _sync = new();
    private readonly ConcurrentDictionary<string, StoredObject> _index;
    private readonly ConcurrentDictionary<string, StoredObject>.AlternateLookup<ReadOnlySpan<char>> _spanIndex;
    private readonly SieveList _sieve = new();
    private readonly ConcurrentDictionary<long, StoredObject>? _trackedLeases;
    private readonly HashSet<StoredObject> _unfreed = new(ReferenceEqualityComparer.Instance);
    private long _nextLeaseId;

    /// <summary>Creates a store; memory is mapped lazily, one arena at a time, as bodies arrive.</summary>
    /// <param name="options">The sizes; validated here.</param>
    /// <param name="meterFactory">Creates the <c>ZProxy.Store</c> meter; null for no metrics.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public PageBlockStore(PageBlockStoreOptions options, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        PageSize = Environment.SystemPageSize;
        PagesPerBlock = options.PageblockPages;
        BlockSize = PageSize * PagesPerBlock;
        LargeObjectThreshold = options.LargeObjectThreshold;
        MemoryLimit = options.MemoryLimit.Bytes;
        MaxObjectSize = Math.Min(options.MaxObjectSize.Bytes, MemoryLimit);
        _forceAnonymous = options.UnsafeForceAnonymousMemory;
        _sealBatchSize = options.SealBatchSize;
        _sealDelay = options.SealDelay;
        _sizeClasses = new SizeClasses(LargeObjectThreshold);
        _openSmall = new Pageblock?[_sizeClasses.Count];
        _fullPagesMask = PagesPerBlock == 64 ? ulong.MaxValue : (1UL << PagesPerBlock) - 1;

        // Address space is reserved at twice the limit so that page-run fragmentation rarely forces an
        // eviction just to find a whole free pageblock; the limit itself is enforced on charged bytes.
        var blocksInLimit = (MemoryLimit + BlockSize - 1) / BlockSize;
        var maxBlocks = Math.Max(1, blocksInLimit * 2);
        var blocksPerArena = Math.Min(maxBlocks, Math.Max(1, (64L << 20) / BlockSize));
        _arenaSize = blocksPerArena * BlockSize;
        _maxArenas = (int)((maxBlocks + blocksPerArena - 1) / blocksPerArena);
        InitializeReserve(options);

        _index = new ConcurrentDictionary<string, StoredObject>(StringComparer.Ordinal);
        _spanIndex = _index.GetAlternateLookup<ReadOnlySpan<char>>();
        if (options.TrackLeases)
        {
            _trackedLeases = new ConcurrentDictionary<long, StoredObject>();
        }

        if (meterFactory is not null)
        {
            _ = new PageBlockStoreMetrics(this, meterFactory);
        }
    }

    /// <summary>The system page size: the unit of sealing and of large-body runs.</summary>
    public int PageSize { get; }

    /// <summary>Pages per pageblock.</summary>
    public int PagesPerBlock { get; }

    /// <summary>Bytes per pageblock.</summary>
    public int BlockSize { get; }

    /// <summary>Bodies below this length are packed by size class.</summary>
    public int LargeObjectThreshold { get; }

    /// <summary>The hard limit on charged bytes.</summary>
    public long MemoryLimit { get; }

    /// <summary>The longest body accepted.</summary>
    public long MaxObjectSize { get; }

    /// <summary>
    /// Starts writing a body. Give <paramref name="expectedLength"/> when known (Content-Length): a small body
    /// then goes straight into its size-class slot, and a large one gets page runs of the right size.
    /// </summary>
    /// <param name="expectedLength">The announced length, or null when unknown (chunked). For a small body it
    /// is a promise: more bytes than its slot holds fail the writer.</param>
    /// <returns>A writer; check <see cref="BodyWriter.IsFailed"/> (true when the body cannot be stored at all).</returns>
    public BodyWriter CreateWriter(long? expectedLength = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var expected = expectedLength ?? -1;
        if (expectedLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedLength), "The expected length cannot be negative.");
        }

        // A run per pageblock the announced length spans, plus one for a run that starts mid-block. An unknown
        // length starts with room for two runs (4 then 16 pages: up to 80 KiB); more grow the array.
        var extents = expected >= 0 ? (int)Math.Min(((expected + BlockSize - 1) / BlockSize) + 1, 64) : 2;
        BodyWriter writer;
        lock (_sync)
        {
            writer = TakeWriterLocked();
            _unfreed.Add(writer.StoredObject);
        }

        writer.StoredObject.EnsureExtentCapacity(extents);
        writer.Start(expected);
        if (expected > MaxObjectSize)
        {
            writer.MarkFailedAtStart();
        }
        else if (expected > 0 && expected < LargeObjectThreshold)
        {
            if (TryAllocateSlot((int)expected, out var slot))
            {
                writer.StartInSlot(slot);
            }
            else
            {
                writer.MarkFailedAtStart();
            }
        }

        return writer;
    }

    /// <summary>Looks a body up and leases it. Lock-free; allocates nothing.</summary>
    /// <returns>False when no committed body is stored under the key.</returns>
    public bool TryLease(ReadOnlySpan<char> key, out BodyLease lease)
    {
        // Two tries: a body freed between the lookup and the lease may already have been replaced under
        // the same key by a newer one.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (!_spanIndex.TryGetValue(key, out var storedObject))
            {
                break;
            }

            if (TryLeaseObject(storedObject, out lease))
            {
                storedObject.MarkVisited();
                return true;
            }
        }

        lease = default;
        return false;
    }

    /// <summary>Looks a body up and leases it. Lock-free; allocates nothing.</summary>
    public bool TryLease(string key, out BodyLease lease)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryLease(key.AsSpan(), out lease);
    }

    /// <summary>True when a committed body is stored under the key (no lease, no hit mark).</summary>
    public bool Contains(ReadOnlySpan<char> key) => _spanIndex.ContainsKey(key);

    /// <summary>
    /// Replaces the metadata of the body stored under <paramref name="key"/> without touching the body (a
    /// 304 that refreshes headers). Leases taken before keep the metadata they saw.
    /// </summary>
    /// <param name="key">The cache key.</param>
    /// <param name="metadata">The new metadata.</param>
    /// <param name="metadataBytes">Its size, charged instead of the old one.</param>
    /// <param name="expectedBody">When not null, replace only if the stored body is still this one (from
    /// <see cref="BodyLease.Owner"/>), so headers validated for an older body never land on a newer one.</param>
    /// <returns>False when nothing (or a different body) is stored under the key, or a larger metadata could not be charged.</returns>
    public bool TryReplaceMetadata(ReadOnlySpan<char> key, object? metadata, int metadataBytes, ISealedMemoryOwner? expectedBody = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(metadataBytes);
        lock (_sync)
        {
            if (!_spanIndex.TryGetValue(key, out var storedObject)
                || (expectedBody is not null && !ReferenceEquals(expectedBody, storedObject)))
            {
                return false;
            }

            var charge = ObjectOverheadBytes + (2L * storedObject.Key!.Length) + metadataBytes;
            var delta = charge - storedObject.MetadataBytes;
            if (delta > 0)
            {
                // Keep the object itself out of the victims while room is made for it.
                var wasQueued = storedObject.InQueue;
                _sieve.Remove(storedObject);
                var room = EnsureRoomLocked(delta);
                if (wasQueued)
                {
                    _sieve.Insert(storedObject);
                    storedObject.Visited = true;
                }

                if (!room)
                {
                    return false;
                }
            }

            storedObject.Metadata = metadata;
            storedObject.MetadataBytes = charge;
            _chargedMetadata += delta;
            return true;
        }
    }

    /// <summary>Removes the body stored under the key (purge). Its memory is freed once its leases are returned.</summary>
    public bool Remove(ReadOnlySpan<char> key)
    {
        lock (_sync)
        {
            if (!_spanIndex.TryGetValue(key, out var storedObject))
            {
                return false;
            }

            RemoveFromIndexLocked(storedObject);
            return true;
        }
    }

    /// <summary>A consistent snapshot of the store's accounting.</summary>
    public PageBlockStoreStatistics GetStatistics()
    {
        lock (_sync)
        {
            int open = 0, sealedBlocks = 0, free = 0, reserve = 0;
            foreach (var block in _blocks)
            {
                switch (block.Kind)
                {
                    case PageblockKind.Free:
                        free++;
                        break;
                    case PageblockKind.Dirty:
                        break;
                    case PageblockKind.Warm:
                    case PageblockKind.Warming:
                        reserve++;
                        break;
                    case PageblockKind.Small:
                        if (block.IsSealed)
                        {
                            sealedBlocks++;
                        }
                        else
                        {
                            open++;
                        }

                        break;
                    default:
                        if (block.PendingWriters > 0)
                        {
                            open++;
                        }
                        else
                        {
                            sealedBlocks++;
                        }

                        break;
                }
            }

            return new PageBlockStoreStatistics(
                UsedBytes: UsedBytesLocked,
                LimitBytes: MemoryLimit,
                DataBytes: _chargedData,
                MetadataBytes: _chargedMetadata,
                FreedUnpunchedBytes: _dirtyBytes,
                PendingSeals: _pendingSealObjects.Count + _pendingSealBlocks.Count,
                BodyBytes: _bodyBytes,
                Objects: _indexedObjects,
                UnfreedObjects: _unfreed.Count,
                OpenPageblocks: open,
                SealedPageblocks: sealedBlocks,
                FreePageblocks: free,
                Arenas: _arenas.Count,
                Evictions: _evictions,
                Leases: CountLeasesLocked(),
                UsesMemfd: _arenas.Count > 0 && _arenas[0].File is not null)
            {
                ReserveBytes = _reserveBytes,
                ReserveTargetBytes = _reserveTarget,
                ReservePageblocks = reserve,
                ReserveMisses = _reserveMisses,
                ReserveRefilledPageblocks = _reserveRefilledBlocks,
                ReserveWorkerTime = Stopwatch.GetElapsedTime(0, _workerTicks),
            };
        }
    }

    /// <summary>The indexed objects, for tests that check the allocator's invariants.</summary>
    internal ICollection<StoredObject> IndexedObjects => _index.Values;

    /// <summary>Leases recorded and not yet returned (only with <see cref="PageBlockStoreOptions.TrackLeases"/>).</summary>
    internal int TrackedLeaseCount => _trackedLeases?.Count ?? 0;

    /// <summary>Unmaps the store when nothing references its memory any more (see the remarks on the type).</summary>
    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _sealTimer?.Dispose();
        }

        // Outside the lock: the worker may be waiting for it. Once joined, nothing populates any more.
        StopWorker();
        lock (_sync)
        {
            foreach (var storedObject in _index.Values)
            {
                RemoveFromIndexLocked(storedObject);
            }

            if (_unfreed.Count == 0)
            {
                DisposeArenasLocked();
            }
        }
    }

    internal bool TryLeaseObject(StoredObject storedObject, out BodyLease lease)
    {
        if (!storedObject.TryAcquire())
        {
            lease = default;
            return false;
        }

        long id = 0;
        if (_trackedLeases is not null)
        {
            id = Interlocked.Increment(ref _nextLeaseId);
            _trackedLeases[id] = storedObject;
        }

        lease = new BodyLease(storedObject, storedObject.Metadata, id);
        return true;
    }

    internal void ReleaseLease(StoredObject storedObject, long trackingId)
    {
        if (_trackedLeases is not null && !_trackedLeases.TryRemove(trackingId, out _))
        {
            throw new InvalidOperationException("This lease was already returned (a lease is disposed exactly once).");
        }

        ReleaseReference(storedObject);
    }

    /// <summary>
    /// Leases and retains held now: every reference beyond the index's and a writer's own. Counted when a
    /// collector asks, so the hit path pays no shared counter.
    /// </summary>
    private long CountLeasesLocked()
    {
        long leases = 0;
        foreach (var storedObject in _unfreed)
        {
            var own = storedObject.InIndex || (!storedObject.IsComplete && !storedObject.IsAborted) ? 1 : 0;
            leases += Math.Max(0, storedObject.RefCount - own);
        }

        return leases;
    }

    internal void ReleaseReference(StoredObject storedObject)
    {
        if (storedObject.DropReference())
        {
            lock (_sync)
            {
                FreeObjectLocked(storedObject);
            }
        }
    }
}
