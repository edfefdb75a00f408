namespace ZProxy.PageBlocks;

/// <summary>
/// Sizes of the pageblock store (<c>ZProxy:Store</c> in configuration). Read once when the store is
/// created; changing them later has no effect.
/// </summary>
public sealed class PageBlockStoreOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "ZProxy:Store";

    /// <summary>
    /// Hard limit on store bytes: pages held for bodies (whole pageblocks for small bodies, whole pages for
    /// large ones) plus the per-object metadata size given at commit. Eviction keeps the store under it at
    /// every instant.
    /// </summary>
    /// <remarks>Default <c>512MiB</c>. Binds from strings such as <c>"512MiB"</c> or <c>"2GiB"</c>; at least one pageblock.</remarks>
    public ByteSize MemoryLimit { get; set; } = new(512L << 20);

    /// <summary>Pages per pageblock: the unit of sealing and reclaim for small bodies.</summary>
    /// <remarks>Default 16 (64 KiB with 4 KiB pages), ZCopy's default; 1 to 64.</remarks>
    public int PageblockPages { get; set; } = 16;

    /// <summary>Bodies shorter than this are packed by size class into shared pageblocks; longer ones get whole pages.</summary>
    /// <remarks>Default 4096 bytes (ZCopy §3.2.1); 16 bytes up to the pageblock size.</remarks>
    public int LargeObjectThreshold { get; set; } = 4096;

    /// <summary>The largest body the store accepts; a writer that goes past it fails and leaves no trace.</summary>
    /// <remarks>Default <c>64MiB</c>; at least 1 byte; a value above <see cref="MemoryLimit"/> acts as the limit.</remarks>
    public ByteSize MaxObjectSize { get; set; } = new(64L << 20);

    /// <summary>
    /// How many finished bodies or full small pageblocks are queued before they are sealed together in
    /// merged mprotect calls. Until sealed, a body reads as <see cref="BodyLease.IsSealed"/> false and is
    /// copied rather than sent by reference.
    /// </summary>
    /// <remarks>Default 32; 1 seals each at once; 1 to 4096.</remarks>
    public int SealBatchSize { get; set; } = 32;

    /// <summary>The longest a queued seal waits when fewer than <see cref="SealBatchSize"/> are queued.</summary>
    /// <remarks>Default 5 ms; 0 to 1 s.</remarks>
    public TimeSpan SealDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The warm reserve: free pageblocks kept punched, populated and writable ahead of need by a background
    /// worker (one thread per store), so that copying a body in is a plain memcpy with no page fault, no
    /// <c>madvise</c> and no <c>mprotect</c> on the request path. The worker also seals, punches, and
    /// evicts to keep room, in large merged calls. 0 turns the reserve (and the worker) off: writers then
    /// populate fresh pages themselves, and seals and punches run on the threads that fill the batches.
    /// </summary>
    /// <remarks>
    /// <para>Default <c>16MiB</c>; 0 or at least one pageblock. The reserve actually kept is capped at an eighth
    /// of <see cref="MemoryLimit"/> and rounded down to whole pageblocks (so a limit under eight pageblocks
    /// keeps none), so the default suits small limits too.</para>
    /// <para>The reserve is charged to <see cref="MemoryLimit"/>: it is memory. The worker also keeps a
    /// quarter of the reserve free as headroom for commits, so bodies get the limit minus about 1.25 times
    /// the reserve. A writer that finds the reserve empty falls back to fresh pages (counted as a miss).</para>
    /// </remarks>
    public ByteSize WarmReserve { get; set; } = new(16L << 20);

    /// <summary>
    /// How long writers must have copied nothing before the reserve worker makes a pass that is not urgent.
    /// Its seals, punches and populates change the page tables of the whole process, and on a virtual machine
    /// each change stalls the threads running on the other CPUs; copy-ins that overlap one take several times
    /// longer. So routine passes wait for a gap between copy-ins. <c>0</c> runs every pass at once.
    /// </summary>
    /// <remarks>Default 1 ms; 0 to 100 ms. A pass is urgent, and runs at once, when half the reserve is used,
    /// when commits are short of room, or when a writer found the reserve empty.</remarks>
    public TimeSpan WorkerQuietPeriod { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// The longest a pass that is not urgent waits for writers to go quiet (<see cref="WorkerQuietPeriod"/>).
    /// It bounds how long a full seal batch stays unsealed (and so is copied on hits) under steady writes.
    /// </summary>
    /// <remarks>Default 20 ms; 0 to 1 s.</remarks>
    public TimeSpan WorkerMaxDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Tests only: no worker thread; the reserve is refilled only when the test calls
    /// <see cref="PageBlockStore.RefillReserve"/>, so sequences stay deterministic.
    /// </summary>
    internal bool ManualReserveRefill { get; set; }

    /// <summary>
    /// Records every lease so a double release throws and leaked leases can be counted. Costs a dictionary
    /// operation per lease: meant for Debug builds and tests.
    /// </summary>
    /// <remarks>Default: on in Debug builds of the store, off in Release.</remarks>
    public bool TrackLeases { get; set; }
#if DEBUG
        = true;
#endif

    /// <summary>
    /// Uses anonymous memory even where memfd_create works. Sealing and eviction work the same, but
    /// segments carry no file for sendfile.
    /// </summary>
    /// <remarks>Default false. Meant for tests of the fallback used on systems without memfd_create.</remarks>
    public bool UnsafeForceAnonymousMemory { get; set; }

    /// <summary>Returns the problems with these options; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (PageblockPages is < 1 or > 64)
        {
            errors.Add($"{nameof(PageblockPages)} must be between 1 and 64 (was {PageblockPages}).");
        }

        var pageblockBytes = (long)Math.Clamp(PageblockPages, 1, 64) * Environment.SystemPageSize;
        if (MemoryLimit.Bytes < pageblockBytes)
        {
            errors.Add($"{nameof(MemoryLimit)} must hold at least one pageblock ({pageblockBytes} bytes; was {MemoryLimit}).");
        }

        if (LargeObjectThreshold < 16 || LargeObjectThreshold > pageblockBytes)
        {
            errors.Add($"{nameof(LargeObjectThreshold)} must be between 16 and the pageblock size {pageblockBytes} (was {LargeObjectThreshold}).");
        }

        if (SealBatchSize is < 1 or > 4096)
        {
            errors.Add($"{nameof(SealBatchSize)} must be between 1 and 4096 (was {SealBatchSize}).");
        }

        if (SealDelay < TimeSpan.Zero || SealDelay > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{nameof(SealDelay)} must be between 0 and 1 second (was {SealDelay}).");
        }

        if (WarmReserve.Bytes != 0 && WarmReserve.Bytes < pageblockBytes)
        {
            errors.Add($"{nameof(WarmReserve)} must be 0 (off) or at least one pageblock ({pageblockBytes} bytes) (was {WarmReserve}).");
        }

        if (WorkerQuietPeriod < TimeSpan.Zero || WorkerQuietPeriod > TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"{nameof(WorkerQuietPeriod)} must be between 0 and 100 ms (was {WorkerQuietPeriod}).");
        }

        if (WorkerMaxDelay < TimeSpan.Zero || WorkerMaxDelay > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{nameof(WorkerMaxDelay)} must be between 0 and 1 second (was {WorkerMaxDelay}).");
        }

        if (MaxObjectSize.Bytes < 1)
        {
            errors.Add($"{nameof(MaxObjectSize)} must be at least 1 byte (was {MaxObjectSize}).");
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, if there is any.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid pageblock store options: " + string.Join(" ", errors));
        }
    }
}
