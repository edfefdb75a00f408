using ZProxy.PageBlocks;

namespace ZProxy.Benchmarks.Store;

/// <summary>One body's copy-in as a writer does it: create, append, commit (the writer is disposed).</summary>
internal static class CopyIn
{
    public static bool Write(PageBlockStore store, byte[] source, string key, bool knownLength)
    {
        using var writer = knownLength ? store.CreateWriter(source.Length) : store.CreateWriter();
        writer.TryAppend(source);
        return writer.TryCommit(key, null, 0);
    }
}
