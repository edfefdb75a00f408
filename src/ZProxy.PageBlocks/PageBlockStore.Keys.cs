namespace ZProxy.PageBlocks;

public sealed partial class PageBlockStore
{
    /// <summary>
    /// A snapshot of the keys stored now, for administration (ban by prefix or pattern, purge by tag).
    /// </summary>
    /// <remarks>Allocates a copy of the key set; never call it on a request path.</remarks>
    public IReadOnlyCollection<string> SnapshotKeys() => [.. _index.Keys];
}
