namespace ZProxy.PageBlocks.Eviction;

/// <summary>An element of a <see cref="SieveList"/>: the links live in the object itself, so queueing allocates nothing.</summary>
internal class SieveNode
{
    internal SieveNode? Newer { get; set; }

    internal SieveNode? Older { get; set; }

    internal bool InQueue { get; set; }

    /// <summary>
    /// Set by readers on a hit without any lock (a benign race: the worst case is one lost mark), cleared
    /// by the eviction hand.
    /// </summary>
    internal bool Visited { get; set; }

    /// <summary>Marks a hit; writes only when needed so hot objects do not bounce their cache line.</summary>
    internal void MarkVisited()
    {
        if (!Visited)
        {
            Visited = true;
        }
    }
}
