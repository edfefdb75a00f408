using Xunit;

namespace ZProxy.PageBlocks.Tests;

/// <summary>
/// Freed pages are punched before reuse, never rewritten in place: bytes a reader (or the kernel, for
/// sendfile) still holds keep their value while the store reuses the space.
/// </summary>
public class PunchHoleTests
{
    [Theory]
    [InlineData(30_000)]
    [InlineData(900)]
    public void Lease_BlockEvictedAndStoreRefilled_LeasedBytesUnchanged(int length)
    {
        using var store = TestBodies.CreateStore(memoryLimit: 1 << 20);
        var body = TestBodies.Create(length, 1);
        TestBodies.Put(store, "leased", body);
        Assert.True(store.TryLease("leased", out var lease));

        // The lease marked it visited, so SIEVE would keep it for a while; purge it instead, then churn the
        // store many times over: the leased body must keep its memory and bytes while others reuse theirs.
        Assert.True(store.Remove("leased"));
        var fills = (int)(3L * store.MemoryLimit / length);
        for (var i = 0; i < fills; i++)
        {
            TestBodies.Put(store, "fill" + i, TestBodies.Create(length, 1000 + i));
        }

        var stats = store.GetStatistics();
        Assert.True(stats.Evictions > fills / 2);
        Assert.True(stats.UsedBytes <= store.MemoryLimit);
        Assert.Equal(stats.Objects + 1, stats.UnfreedObjects);
        Assert.Equal(body, TestBodies.Read(lease));
        lease.Dispose();
        Assert.Equal(stats.Objects, store.GetStatistics().UnfreedObjects);
    }

    [Fact]
    public unsafe void SplicedPages_BodyFreedAndSpaceReused_PipeStillHoldsOldBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var store = TestBodies.CreateStore(memoryLimit: 1 << 20);
        var oldBody = TestBodies.Create(64 * 1024, 1);
        TestBodies.Put(store, "k", oldBody);
        Assert.True(store.TryLease("k", out var lease));
        var segment = GetSingleSegment(lease);

        int* fds = stackalloc int[2];
        Assert.Equal(0, Interop.Pipe(fds));
        try
        {
            // As sendfile does, splice moves references to the memfd's pages into the pipe.
            var fileOffset = segment.FileOffset;
            var fd = (int)segment.File!.DangerousGetHandle();
            var moved = Interop.Splice(fd, &fileOffset, fds[1], null, (nuint)segment.Memory.Length, 0);
            Assert.Equal(segment.Memory.Length, (int)moved);

            // Free the body, then write a new one into the same file range.
            lease.Dispose();
            store.Remove("k");

            // Punch now (normally batched) so the very same pages are the next ones handed out.
            store.FlushPending();
            var newBody = TestBodies.Create(64 * 1024, 2);
            TestBodies.Put(store, "k2", newBody);
            Assert.True(store.TryLease("k2", out var newLease));
            using (newLease)
            {
                Assert.Equal(segment.FileOffset, GetSingleSegment(newLease).FileOffset);
                Assert.Equal(newBody, TestBodies.Read(newLease));
            }

            // The pipe still delivers the old bytes: the pages were punched, not rewritten.
            Assert.Equal(oldBody, ReadExactly(fds[0], oldBody.Length));
        }
        finally
        {
            Interop.Close(fds[0]);
            Interop.Close(fds[1]);
        }
    }

    [Fact]
    public unsafe void SplicedPages_BlockPunchedIntoWarmReserveAndReused_ZeroedThenPipeStillHoldsOldBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // 512 KiB limit: the reserve is exactly one 64 KiB block, so the freed block is the one that comes back.
        using var store = TestBodies.CreateStore(memoryLimit: 512 << 10, warmReserve: 64 << 10, manualRefill: true);
        store.RefillReserve();
        var oldBody = TestBodies.Create(64 * 1024, 1);
        TestBodies.Put(store, "k", oldBody);
        Assert.Equal(0, store.GetStatistics().ReserveMisses);
        Assert.True(store.TryLease("k", out var lease));
        var segment = GetSingleSegment(lease);

        int* fds = stackalloc int[2];
        Assert.Equal(0, Interop.Pipe(fds));
        try
        {
            var fileOffset = segment.FileOffset;
            var fd = (int)segment.File!.DangerousGetHandle();
            Assert.Equal(segment.Memory.Length, (int)Interop.Splice(fd, &fileOffset, fds[1], null, (nuint)segment.Memory.Length, 0));

            lease.Dispose();
            store.Remove("k");

            // The worker's pass: punch the freed block, then populate it into the reserve.
            store.RefillReserve();
            var stats = store.GetStatistics();
            Assert.Equal(64 << 10, stats.ReserveBytes);
            Assert.Equal(0, stats.FreedUnpunchedBytes);

            using var writer = store.CreateWriter(64 * 1024);
            var memory = writer.GetMemory(64 * 1024);

            // The reused warm page holds zeros, never the old body.
            Assert.True(memory.Span.IndexOfAnyExcept((byte)0) < 0);
            var newBody = TestBodies.Create(64 * 1024, 2);
            newBody.CopyTo(memory.Span);
            writer.Advance(newBody.Length);
            Assert.True(writer.TryCommit("k2", null, 0));
            Assert.Equal(0, store.GetStatistics().ReserveMisses);
            Assert.True(store.TryLease("k2", out var newLease));
            using (newLease)
            {
                Assert.Equal(segment.FileOffset, GetSingleSegment(newLease).FileOffset);
                Assert.Equal(newBody, TestBodies.Read(newLease));
            }

            Assert.Equal(oldBody, ReadExactly(fds[0], oldBody.Length));
        }
        finally
        {
            Interop.Close(fds[0]);
            Interop.Close(fds[1]);
        }
    }

    [Fact]
    public unsafe void SplicedPages_RewrittenInPlace_PipeSeesNewBytes()
    {
        // The control for the test above: without a punch, a spliced page is shared with the pipe, so
        // rewriting it in place changes bytes already "sent". This is what the store must never do.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var store = TestBodies.CreateStore(memoryLimit: 1 << 20);
        using var writer = store.CreateWriter(64 * 1024);
        var memory = writer.GetMemory();
        TestBodies.Fill(memory.Span, 1, 0);
        writer.Advance(memory.Length);
        using var reader = writer.OpenReader();
        var segment = GetSingleSegment(reader);

        int* fds = stackalloc int[2];
        Assert.Equal(0, Interop.Pipe(fds));
        try
        {
            var fileOffset = segment.FileOffset;
            var fd = (int)segment.File!.DangerousGetHandle();
            Assert.Equal(memory.Length, (int)Interop.Splice(fd, &fileOffset, fds[1], null, (nuint)memory.Length, 0));

            memory.Span.Fill(0xEE);

            var first = new byte[1];
            fixed (byte* buffer = first)
            {
                Assert.Equal(1, (int)Interop.Read(fds[0], buffer, 1));
            }

            Assert.Equal(0xEE, first[0]);
        }
        finally
        {
            Interop.Close(fds[0]);
            Interop.Close(fds[1]);
        }
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes from a pipe.</summary>
    private static unsafe byte[] ReadExactly(int fd, int length)
    {
        var bytes = new byte[length];
        var total = 0;
        fixed (byte* buffer = bytes)
        {
            while (total < length)
            {
                var read = Interop.Read(fd, buffer + total, (nuint)(length - total));
                Assert.True(read > 0);
                total += (int)read;
            }
        }

        return bytes;
    }

    private static SealedSegment GetSingleSegment(in BodyLease lease)
    {
        SealedSegment? only = null;
        foreach (var segment in lease.Segments)
        {
            Assert.Null(only);
            only = segment;
        }

        Assert.NotNull(only);
        Assert.NotNull(only.Value.File);
        return only.Value;
    }
}
