using Xunit;
using Xunit.Abstractions;
using ZProxy.PageBlocks.Memory;

namespace ZProxy.PageBlocks.Tests;

/// <summary>
/// Random sequences of allocate / append / commit / abort / lease / read-while-writing / retain / remove /
/// replace-metadata, with sealing, eviction and reclaim happening as they will under a small limit. After
/// every step: live bodies never overlap, the limit holds, every held lease still reads its own bytes; at
/// the end nothing is leaked.
/// </summary>
public class StorePropertyTests(ITestOutputHelper output)
{
    private sealed record Writing(BodyWriter Writer, int Seed, int Target);

    private sealed record Held(BodyLease Lease, int Seed, bool Retained);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void RandomOperations_AnySeed_InvariantsHold(int seed)
    {
        var random = new Random(seed);
        // Seeds 3 and up run with the warm reserve, refilled every few steps on this thread (no worker thread,
        // so the sequence stays deterministic): an eighth of the limit, 2 or 8 pageblocks.
        var reserve = seed >= 3;
        using var store = TestBodies.CreateStore(memoryLimit: 1 << 20, anonymous: seed % 4 == 0, pageblockPages: seed % 2 == 0 ? 4 : 16, sealBatchSize: (seed % 3) switch { 0 => 1, 1 => 4, _ => 32 }, warmReserve: reserve ? 1 << 20 : 0, manualRefill: true);
        var writers = new List<Writing>();
        var held = new List<Held>();
        var committed = new Dictionary<string, int>();
        var nextSeed = seed * 100_000;

        void Step()
        {
            switch (random.Next(12))
            {
                case 0 or 1 when writers.Count < 6:
                {
                    var length = random.Next(4) switch
                    {
                        0 => random.Next(0, 200),
                        1 => random.Next(200, 4096),
                        2 => random.Next(4096, 70_000),
                        _ => random.Next(70_000, 250_000),
                    };
                    var known = random.Next(2) == 0;
                    writers.Add(new Writing(store.CreateWriter(known ? length : null), nextSeed++, length));
                    break;
                }

                case 2 or 3 when writers.Count > 0:
                {
                    var w = writers[random.Next(writers.Count)];
                    var remaining = w.Target - (int)w.Writer.Length;
                    if (remaining > 0 && !w.Writer.IsFailed)
                    {
                        var chunk = Math.Min(remaining, random.Next(1, 40_000));
                        var memory = w.Writer.GetMemory(chunk);
                        if (!memory.IsEmpty)
                        {
                            chunk = Math.Min(chunk, memory.Length);
                            TestBodies.Fill(memory.Span[..chunk], w.Seed, w.Writer.Length);
                            w.Writer.Advance(chunk);
                        }
                    }

                    break;
                }

                case 4 when writers.Count > 0:
                {
                    var w = writers[random.Next(writers.Count)];
                    writers.Remove(w);
                    var key = "k" + random.Next(40);

                    // Usually finish the body first; sometimes try to commit a partial one (must be refused).
                    if (random.Next(5) != 0)
                    {
                        while (!w.Writer.IsFailed && w.Writer.Length < w.Target)
                        {
                            var memory = w.Writer.GetMemory();
                            if (memory.IsEmpty)
                            {
                                break;
                            }

                            var chunk = (int)Math.Min(memory.Length, w.Target - w.Writer.Length);
                            TestBodies.Fill(memory.Span[..chunk], w.Seed, w.Writer.Length);
                            w.Writer.Advance(chunk);
                        }
                    }

                    var complete = w.Writer.Length == w.Target;
                    if (complete && w.Writer.TryCommit(key, w.Seed, random.Next(0, 2000)))
                    {
                        committed[key] = w.Seed;
                    }
                    else
                    {
                        w.Writer.Abort();
                    }

                    break;
                }

                case 5 when writers.Count > 0:
                {
                    var w = writers[random.Next(writers.Count)];
                    writers.Remove(w);
                    w.Writer.Abort();
                    break;
                }

                case 6 or 7 when held.Count < 12:
                {
                    var key = "k" + random.Next(40);
                    if (store.TryLease(key, out var lease))
                    {
                        Assert.True(lease.IsComplete);
                        held.Add(new Held(lease, (int)lease.Metadata!, Retained: false));
                    }

                    break;
                }

                case 8 when writers.Count > 0:
                {
                    var w = writers[random.Next(writers.Count)];
                    if (!w.Writer.IsFailed)
                    {
                        held.Add(new Held(w.Writer.OpenReader(), w.Seed, Retained: false));
                    }

                    break;
                }

                case 9 or 11 when held.Count > 0:
                {
                    var h = held[random.Next(held.Count)];
                    held.Remove(h);
                    AssertReadsOwnBytes(h);
                    if (!h.Retained && random.Next(3) == 0)
                    {
                        // Keep the memory past the lease, as the transport does until the kernel is done.
                        h.Lease.Owner.Retain();
                        h.Lease.Dispose();
                        held.Add(h with { Retained = true });
                    }
                    else if (h.Retained)
                    {
                        h.Lease.Owner.Release();
                    }
                    else
                    {
                        h.Lease.Dispose();
                    }

                    break;
                }

                case 10:
                {
                    var key = "k" + random.Next(40);
                    if (random.Next(2) == 0)
                    {
                        store.Remove(key);
                    }
                    else if (committed.TryGetValue(key, out var s))
                    {
                        // The metadata is the body's seed: replace it by the same value with a new size.
                        store.TryReplaceMetadata(key, s, random.Next(0, 3000));
                    }

                    break;
                }
            }
        }

        if (reserve)
        {
            // The worker punches freed pages outside the store lock: writers, readers and removals go on meanwhile
            // (and a flush of their own must leave the blocks in flight alone).
            store.PunchInFlightHook = () =>
            {
                for (var i = 0; i < 3; i++)
                {
                    Step();
                    if (random.Next(4) == 0)
                    {
                        store.FlushPending();
                    }

                    AssertInvariants(store, writers, held);
                }
            };
        }

        for (var step = 0; step < 3000; step++)
        {
            Step();
            if (reserve && step % 7 == 0)
            {
                store.RefillReserve();
            }

            AssertInvariants(store, writers, held);
            if (step % 50 == 0)
            {
                foreach (var h in held)
                {
                    AssertReadsOwnBytes(h);
                }
            }
        }

        var before = store.GetStatistics();
        output.WriteLine($"seed {seed}: {before}, committed keys {committed.Count}");

        // The sequence must have driven the store into eviction, or the limit was never at stake.
        Assert.True(before.Evictions > 0);
        if (reserve)
        {
            Assert.True(before.ReserveRefilledPageblocks > 0);
        }

        foreach (var h in held)
        {
            AssertReadsOwnBytes(h);
            if (h.Retained)
            {
                h.Lease.Owner.Release();
            }
            else
            {
                h.Lease.Dispose();
            }
        }

        foreach (var w in writers)
        {
            w.Writer.Dispose();
        }

        for (var k = 0; k < 40; k++)
        {
            store.Remove("k" + k);
        }

        store.FlushPending();
        var stats = store.GetStatistics();
        Assert.Equal(0, stats.UnfreedObjects);
        Assert.Equal(stats.ReserveBytes, stats.UsedBytes);
        Assert.Equal(0, stats.Leases);
        Assert.Equal(0, store.TrackedLeaseCount);
        Assert.Equal(0, stats.OpenPageblocks + stats.SealedPageblocks);
    }

    private static void AssertReadsOwnBytes(Held h)
    {
        var lease = h.Lease;
        var length = lease.Length;
        long position = 0;
        while (position < length && lease.TryGetMemory(position, out var memory))
        {
            var expected = new byte[memory.Length];
            TestBodies.Fill(expected, h.Seed, position);
            Assert.True(memory.Span.SequenceEqual(expected), $"body {h.Seed} changed at {position}");
            position += memory.Length;
        }

        Assert.Equal(length, position);
    }

    private static void AssertInvariants(PageBlockStore store, List<Writing> writers, List<Held> held)
    {
        var stats = store.GetStatistics();
        Assert.True(stats.UsedBytes <= store.MemoryLimit, $"used {stats.UsedBytes} > limit {store.MemoryLimit}");
        Assert.True(stats.UsedBytes >= 0);

        // Every lease or retain the sequence holds is counted, and nothing else.
        Assert.Equal(held.Count, stats.Leases);

        var live = new HashSet<StoredObject>(ReferenceEqualityComparer.Instance);
        foreach (var o in store.IndexedObjects)
        {
            live.Add(o);
        }

        foreach (var w in writers)
        {
            // A failed writer has dropped its body already.
            if (!w.Writer.IsFailed)
            {
                live.Add(w.Writer.StoredObject);
            }
        }

        foreach (var h in held)
        {
            live.Add((StoredObject)h.Lease.Owner);
        }

        var ranges = new List<(int Arena, long Start, long End, StoredObject Owner)>();
        foreach (var o in live)
        {
            Assert.False(o.IsFreed);
            foreach (var e in o.Extents)
            {
                if (e.Capacity > 0)
                {
                    var start = e.Block.ArenaOffset + e.Offset;
                    ranges.Add((e.Block.Arena.Index, start, start + e.Capacity, o));
                    Assert.NotEqual(PageblockKind.Free, e.Block.Kind);
                    Assert.NotEqual(PageblockKind.Warm, e.Block.Kind);
                    Assert.NotEqual(PageblockKind.Warming, e.Block.Kind);

                    // A live run never sits on pages still counted as warm reserve.
                    if (!e.IsSlot)
                    {
                        var first = e.Offset / Environment.SystemPageSize;
                        var pages = e.Capacity / Environment.SystemPageSize;
                        var mask = (pages >= 64 ? ulong.MaxValue : (1UL << pages) - 1) << first;
                        Assert.Equal(0UL, e.Block.WarmPages & mask);

                        // Nor on pages a punch in flight is releasing.
                        Assert.Equal(0UL, e.Block.PunchingPages & mask);
                    }
                }
            }
        }

        ranges.Sort((a, b) => a.Arena != b.Arena ? a.Arena.CompareTo(b.Arena) : a.Start.CompareTo(b.Start));
        for (var i = 1; i < ranges.Count; i++)
        {
            if (ranges[i].Arena == ranges[i - 1].Arena)
            {
                Assert.True(ranges[i].Start >= ranges[i - 1].End, "two live bodies overlap");
            }
        }

        Assert.True(stats.UnfreedObjects >= live.Count);
    }
}
