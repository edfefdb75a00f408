using ZProxy.PageBlocks;

namespace ZProxy.PageBlocks.Tests;

/// <summary>
/// The test assembly's entry point. The test host never calls it; the sealed-memory test starts this
/// assembly again as a child process (<c>dotnet exec ZProxy.PageBlocks.Tests.dll seal-probe MODE</c>) to
/// write into sealed memory and die.
/// </summary>
public static class Program
{
    public const string SealProbe = "seal-probe";

    public static unsafe int Main(string[] args)
    {
        if (args.Length < 2 || args[0] != SealProbe)
        {
            Console.Error.WriteLine("usage: seal-probe large|small|control");
            return 2;
        }

        using var store = new PageBlockStore(new PageBlockStoreOptions { MemoryLimit = new ByteSize(4L << 20), SealBatchSize = 1 });
        var mode = args[1];
        var key = "probe";
        if (mode == "small")
        {
            // Fill one pageblock of a single size class so it is sealed.
            for (var i = 0; i < 64; i++)
            {
                TestBodies.Put(store, key + i, TestBodies.Create(1000, i));
            }

            key += "0";
        }
        else
        {
            TestBodies.Put(store, key, TestBodies.Create(20_000, 1));
        }

        if (!store.TryLease(key, out var lease))
        {
            return 3;
        }

        Console.WriteLine($"sealed={lease.IsSealed}");
        Console.Out.Flush();
        using var handle = lease.Body.First.Pin();
        if (mode == "control")
        {
            // The same native write into store memory that is not sealed yet (a body being written): survives.
            using var writer = store.CreateWriter(20_000);
            using var writable = writer.GetMemory().Pin();
            Interop.Memset(writable.Pointer, 0x5a, 100);
            writer.Advance(100);
            Console.WriteLine("survived");
            return 0;
        }

        Interop.Memset(handle.Pointer, 0x5a, 100);
        Console.WriteLine("survived");
        return 0;
    }
}
