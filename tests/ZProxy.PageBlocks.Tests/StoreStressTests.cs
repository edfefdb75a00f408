using Xunit;
using Xunit.Abstractions;

namespace ZProxy.PageBlocks.Tests;

/// <summary>
/// Many readers and a few writers at once under eviction pressure: every body a reader leases matches the
/// checksum its writer stored in the metadata; nothing leaks.
/// </summary>
public class StoreStressTests(ITestOutputHelper output)
{
    private sealed record Meta(ulong Checksum, int Length);

    [Theory]
    [InlineData(0)]
    [InlineData(512 * 1024)]
    public async Task ConcurrentReadersAndWriters_UnderEviction_EveryLeasedBodyMatchesItsChecksum(int warmReserve)
    {
        // With a reserve, its worker thread seals, evicts, punches and populates while the writers write.
        using var store = TestBodies.CreateStore(memoryLimit: 4 << 20, sealBatchSize: 16, warmReserve: warmReserve);
        const int Keys = 64;
        const int WritesPerWriter = 300;
        const int Writers = 3;
        const int Readers = 4;
        var writersDone = 0;
        long hits = 0, misses = 0, checkedBytes = 0, inProgressReads = 0;
        var mismatches = 0;

        var writerTasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < WritesPerWriter; i++)
            {
                var length = random.Next(3) switch
                {
                    0 => random.Next(1, 4096),
                    1 => random.Next(4096, 80_000),
                    _ => random.Next(80_000, 300_000),
                };
                var seed = (w * 1_000_000) + i;
                var body = TestBodies.Create(length, seed);
                var known = random.Next(2) == 0;
                using var writer = store.CreateWriter(known ? length : null);

                // Now and then a coalesced reader follows the body while it is written.
                Task<bool>? follower = null;
                if (i % 20 == 0 && !writer.IsFailed)
                {
                    var reader = writer.OpenReader();
                    follower = FollowAsync(reader, body);
                }

                for (var offset = 0; offset < length; offset += 16_384)
                {
                    if (!writer.TryAppend(body.AsSpan(offset, Math.Min(16_384, length - offset))))
                    {
                        break;
                    }
                }

                if (random.Next(10) == 0)
                {
                    writer.Abort();
                }
                else
                {
                    writer.TryCommit("k" + random.Next(Keys), new Meta(Checksum(0xcbf29ce484222325, body), length), 100);
                }

                if (follower is not null)
                {
                    if (!await follower.WaitAsync(TimeSpan.FromSeconds(30)))
                    {
                        Interlocked.Increment(ref mismatches);
                    }

                    Interlocked.Increment(ref inProgressReads);
                }
            }

            Interlocked.Increment(ref writersDone);
        })).ToArray();

        var readerTasks = Enumerable.Range(0, Readers).Select(r => Task.Run(() =>
        {
            var random = new Random(100 + r);
            var keys = Enumerable.Range(0, Keys).Select(k => "k" + k).ToArray();
            while (Volatile.Read(ref writersDone) < Writers)
            {
                if (!store.TryLease(keys[random.Next(Keys)], out var lease))
                {
                    Interlocked.Increment(ref misses);
                    continue;
                }

                using (lease)
                {
                    var meta = (Meta)lease.Metadata!;
                    var hash = 0xcbf29ce484222325;
                    foreach (var segment in lease.Segments)
                    {
                        hash = Checksum(hash, segment.Memory.Span);
                    }

                    if (lease.Length != meta.Length || hash != meta.Checksum)
                    {
                        Interlocked.Increment(ref mismatches);
                    }

                    Interlocked.Add(ref checkedBytes, lease.Length);
                }

                Interlocked.Increment(ref hits);
            }
        })).ToArray();

        await Task.WhenAll(writerTasks).WaitAsync(TimeSpan.FromMinutes(2));
        await Task.WhenAll(readerTasks).WaitAsync(TimeSpan.FromMinutes(2));

        var stats = store.GetStatistics();
        output.WriteLine($"hits {hits}, misses {misses}, checked {checkedBytes} B, followed {inProgressReads}; {stats}");
        Assert.Equal(0, mismatches);
        Assert.True(hits > 100);
        Assert.True(stats.Evictions > 0);
        Assert.True(stats.UsedBytes <= store.MemoryLimit);
        Assert.Equal(0, store.TrackedLeaseCount);
        Assert.Equal(stats.Objects, stats.UnfreedObjects);

        for (var k = 0; k < Keys; k++)
        {
            store.Remove("k" + k);
        }

        store.FlushPending();
        var end = store.GetStatistics();
        Assert.Equal(end.ReserveBytes, end.UsedBytes);
        if (warmReserve > 0)
        {
            Assert.True(end.ReserveRefilledPageblocks > 0);
        }
    }

    /// <summary>FNV-1a, 64 bits, over 8-byte words: enough to catch a changed byte, cheap enough for a stress test.</summary>
    private static ulong Checksum(ulong hash, ReadOnlySpan<byte> bytes)
    {
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var word in words)
        {
            hash = (hash ^ word) * 0x100000001b3;
        }

        for (var i = words.Length * 8; i < bytes.Length; i++)
        {
            hash = (hash ^ bytes[i]) * 0x100000001b3;
        }

        return hash;
    }

    private static async Task<bool> FollowAsync(BodyLease reader, byte[] expected)
    {
        using (reader)
        {
            long position = 0;
            while (true)
            {
                var result = await reader.WaitAsync(position);
                if (result == BodyWaitResult.Aborted)
                {
                    // Aborted (or failed) writes are fine; what was read so far must still match.
                    return true;
                }

                if (result == BodyWaitResult.Completed)
                {
                    return position == expected.Length;
                }

                while (reader.TryGetMemory(position, out var memory))
                {
                    if (!memory.Span.SequenceEqual(expected.AsSpan((int)position, memory.Length)))
                    {
                        return false;
                    }

                    position += memory.Length;
                }
            }
        }
    }
}
