namespace ZProxy.PageBlocks.Eviction;

/// <summary>
/// SIEVE eviction (Zhang et al., "SIEVE is Simpler than LRU", NSDI '24): one FIFO queue, a visited bit
/// per object set on hits without moving it, and a hand that walks from the oldest object toward the
/// newest, clearing visited bits and evicting the first object it finds unvisited.
/// </summary>
/// <remarks>
/// Chosen over LRU because a hit costs one store to a bool (no lock, no list surgery on the read
/// path), and because on skewed web traffic it keeps popular objects that LRU lets one-hit wonders push
/// out; see the Zipf simulator in the tests and benchmarks for the measured hit ratios. Not thread-safe:
/// insert, remove and eviction run under the store lock.
/// </remarks>
internal sealed class SieveList
{
    private SieveNode? _newest;
    private SieveNode? _oldest;
    private SieveNode? _hand;

    public int Count { get; private set; }

    public void Insert(SieveNode node)
    {
        node.Visited = false;
        node.Older = _newest;
        node.Newer = null;
        if (_newest is not null)
        {
            _newest.Newer = node;
        }

        _newest = node;
        _oldest ??= node;
        node.InQueue = true;
        Count++;
    }

    public void Remove(SieveNode node)
    {
        if (!node.InQueue)
        {
            return;
        }

        if (ReferenceEquals(_hand, node))
        {
            _hand = node.Newer;
        }

        if (node.Newer is not null)
        {
            node.Newer.Older = node.Older;
        }
        else
        {
            _newest = node.Older;
        }

        if (node.Older is not null)
        {
            node.Older.Newer = node.Newer;
        }
        else
        {
            _oldest = node.Newer;
        }

        node.Newer = null;
        node.Older = null;
        node.InQueue = false;
        Count--;
    }

    /// <summary>Picks the next victim and removes it from the queue; null when the queue is empty.</summary>
    public SieveNode? Evict()
    {
        var node = _hand ?? _oldest;

        // Terminates within two passes: the first clears every visited bit it meets.
        while (node is not null)
        {
            if (!node.Visited)
            {
                _hand = node.Newer;
                Remove(node);
                return node;
            }

            node.Visited = false;
            node = node.Newer ?? _oldest;
        }

        return null;
    }
}
