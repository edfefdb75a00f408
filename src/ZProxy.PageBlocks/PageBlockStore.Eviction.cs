namespace ZProxy.PageBlocks;

/// <summary>Eviction and removal. Everything here runs under the store lock.</summary>
public sealed partial class PageBlockStore
{
    /// <summary>Evicts until <paramref name="bytes"/> more fit under the limit; false when nothing is left to evict.</summary>
    private bool EnsureRoomLocked(long bytes)
    {
        while (UsedBytesLocked + bytes > MemoryLimit)
        {
            // Freed pages still hold memory until punched: release them before evicting anything.
            if (_dirtyBytes > 0 && FlushDirtyLocked())
            {
                continue;
            }

            // The warm reserve gives way only when no body is left to evict.
            if (!EvictOneLocked() && !TryDropWarmBlockLocked())
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Evicts the SIEVE victim. Its memory comes back now, or when its last lease is returned; a slot's
    /// pageblock only when every slot in it is dead.
    /// </summary>
    private bool EvictOneLocked()
    {
        if (_sieve.Evict() is not StoredObject victim)
        {
            return false;
        }

        _index.TryRemove(new KeyValuePair<string, StoredObject>(victim.Key!, victim));
        victim.InIndex = false;
        _indexedObjects--;
        _evictions++;
        if (victim.DropReference())
        {
            FreeObjectLocked(victim);
        }

        return true;
    }

    private void RemoveFromIndexLocked(StoredObject storedObject)
    {
        _sieve.Remove(storedObject);
        if (!storedObject.InIndex)
        {
            return;
        }

        _index.TryRemove(new KeyValuePair<string, StoredObject>(storedObject.Key!, storedObject));
        storedObject.InIndex = false;
        _indexedObjects--;
        if (storedObject.DropReference())
        {
            FreeObjectLocked(storedObject);
        }
    }
}
