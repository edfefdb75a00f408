namespace ZProxy.PageBlocks;

/// <summary>
/// Spare writers: a <see cref="BodyWriter"/> and its <see cref="StoredObject"/> (with the sequence segments of a
/// two-run body), allocated ahead by the reserve worker, so that a fill's copy-in allocates nothing in steady state.
/// </summary>
/// <remarks>
/// <para>Why: on this project's VM every fresh page the GC hands out faults on first touch, about 25 to 30 µs
/// per 8 KiB allocation context, so a body's 300 B of writer and object cost the writer about 1 µs on average
/// (a third of a 64 KiB memcpy), in 30 µs stalls. The worker pays those faults instead, as it pays the page
/// faults of the warm reserve. Measured in RESULTS.md (a⁵).</para>
/// <para>A spare is used once and never recycled: nothing can hold a stale reference to it, so no lease, owner
/// or writer reference can ever see one object stand for two bodies. Without a worker (reserve off), writers
/// are allocated on demand, as before.</para>
/// </remarks>
public sealed partial class PageBlockStore
{
    /// <summary>
    /// Spares kept ready. The worker tops them up at every pass, and a pass comes at least every
    /// <c>SealBatchSize</c> commits (32) or when a quarter of the spares is left.
    /// </summary>
    private const int SpareWriterTarget = 256;

    /// <summary>Extents a spare's object has room for: a body of up to one pageblock, or the first two runs of an unknown length.</summary>
    private const int SpareExtentCapacity = 2;

    private readonly Stack<BodyWriter> _spareWriters = new();

    /// <summary>Spare writers ready now (tests).</summary>
    internal int SpareWriterCount
    {
        get
        {
            lock (_sync)
            {
                return _spareWriters.Count;
            }
        }
    }

    /// <summary>A spare writer if one is left (asking the worker for more when a quarter is left), else a new one.</summary>
    private BodyWriter TakeWriterLocked()
    {
        if (_spareWriters.TryPop(out var spare))
        {
            if (_spareWriters.Count < SpareWriterTarget / 4)
            {
                RequestWorkLocked();
            }

            return spare;
        }

        return new BodyWriter(this, new StoredObject(this, SpareExtentCapacity));
    }

    /// <summary>The worker's pass (and <see cref="RefillReserve"/>): allocates the missing spares outside the lock.</summary>
    private void TopUpSpareWriters()
    {
        int missing;
        lock (_sync)
        {
            if (_disposed || !HasSpareWritersLocked)
            {
                return;
            }

            missing = SpareWriterTarget - _spareWriters.Count;
        }

        if (missing <= 0)
        {
            return;
        }

        var made = new BodyWriter[missing];
        for (var i = 0; i < made.Length; i++)
        {
            var storedObject = new StoredObject(this, SpareExtentCapacity);
            storedObject.PrepareSpareSegments();
            made[i] = new BodyWriter(this, storedObject);
        }

        lock (_sync)
        {
            foreach (var writer in made)
            {
                if (_spareWriters.Count >= SpareWriterTarget)
                {
                    break;
                }

                _spareWriters.Push(writer);
            }
        }
    }

    /// <summary>Spares are kept while the reserve is on: its worker (or a benchmark's manual refill) makes them.</summary>
    private bool HasSpareWritersLocked => _reserveTarget > 0;
}
