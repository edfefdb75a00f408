using Xunit;

namespace ZProxy.PageBlocks.Tests;

public class PageBlockStoreTests
{
    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(100, true)]
    [InlineData(4095, true)]
    [InlineData(4096, true)]
    [InlineData(65_536, true)]
    [InlineData(300_001, true)]
    [InlineData(1, false)]
    [InlineData(1000, false)]
    [InlineData(4095, false)]
    [InlineData(4096, false)]
    [InlineData(200_000, false)]
    public void TryCommit_AnyLength_LeaseReturnsSameBytes(int length, bool knownLength)
    {
        using var store = TestBodies.CreateStore();
        var body = TestBodies.Create(length, seed: length);

        Assert.True(TestBodies.Put(store, "k", body, knownLength, metadata: "meta", metadataBytes: 10));

        Assert.True(store.TryLease("k", out var lease));
        using (lease)
        {
            Assert.True(lease.IsComplete);
            Assert.Equal(length, lease.Length);
            Assert.Equal("meta", lease.Metadata);
            Assert.Equal(body, TestBodies.Read(lease));
            Assert.Equal(body, TestBodies.ReadSegments(lease));
        }
    }

    [Fact]
    public void TryLease_SpanKey_FindsStringKey()
    {
        using var store = TestBodies.CreateStore();
        TestBodies.Put(store, "https://a.test/x", TestBodies.Create(10, 1));
        var buffer = "GET https://a.test/x".ToCharArray();

        Assert.True(store.TryLease(buffer.AsSpan(4), out var lease));
        lease.Dispose();
        Assert.False(store.TryLease("https://a.test/y".AsSpan(), out _));
    }

    [Fact]
    public void TryCommit_SmallUnknownLength_MovedIntoSizeClassSlot()
    {
        using var store = TestBodies.CreateStore();

        TestBodies.Put(store, "k", TestBodies.Create(300, 1), knownLength: false);

        // One page of a small pageblock (the rest of the block is untouched), not the page run it was written into.
        var stats = store.GetStatistics();
        Assert.Equal(store.PageSize, stats.DataBytes);
        Assert.Equal(300, stats.BodyBytes);
        Assert.Equal(1, stats.UnfreedObjects);
    }

    [Fact]
    public void TryCommit_LargeUnknownLength_TrimmedToWholePages()
    {
        using var store = TestBodies.CreateStore();

        TestBodies.Put(store, "k", TestBodies.Create(10_000, 1), knownLength: false);

        Assert.Equal(3 * store.PageSize, store.GetStatistics().DataBytes);
    }

    [Theory]
    [InlineData(64 * 1024, 2)]
    [InlineData(80 * 1024, 2)]
    [InlineData(200 * 1024, 4)]
    public void TryCommit_UnknownLength_FewRunsWholePagesIntact(int length, int maxSegments)
    {
        // Runs of 4 pages, then 16 (a pageblock): a 64 KiB body streamed without a length is two segments.
        using var store = TestBodies.CreateStore();
        var body = TestBodies.Create(length, 3);

        Assert.True(TestBodies.Put(store, "k", body, knownLength: false));

        Assert.Equal((length + store.PageSize - 1) / store.PageSize * store.PageSize, store.GetStatistics().DataBytes);
        Assert.True(store.TryLease("k", out var lease));
        using (lease)
        {
            var segments = 0;
            foreach (var _ in lease.Segments)
            {
                segments++;
            }

            Assert.InRange(segments, 1, maxSegments);
            Assert.Equal(body, TestBodies.Read(lease));
        }
    }

    [Fact]
    public void Abort_PartialBody_LeavesNoTrace()
    {
        using var store = TestBodies.CreateStore();
        var before = store.GetStatistics();

        using (var writer = store.CreateWriter())
        {
            Assert.True(writer.TryAppend(TestBodies.Create(100_000, 1)));
            writer.Abort();
        }

        using (var small = store.CreateWriter(100))
        {
            Assert.True(small.TryAppend(TestBodies.Create(50, 1)));
        }

        store.FlushPending();
        var after = store.GetStatistics();
        Assert.Equal(0, after.UsedBytes);
        Assert.Equal(0, after.UnfreedObjects);
        Assert.Equal(before.Objects, after.Objects);
        Assert.False(store.Contains("k"));
        Assert.Equal(0, store.TrackedLeaseCount);
    }

    [Fact]
    public void TryCommit_ExistingKey_ReplacesAndOldLeaseKeepsOldBytes()
    {
        using var store = TestBodies.CreateStore();
        var first = TestBodies.Create(50_000, 1);
        var second = TestBodies.Create(7000, 2);
        TestBodies.Put(store, "k", first);
        Assert.True(store.TryLease("k", out var oldLease));

        TestBodies.Put(store, "k", second);

        using (oldLease)
        {
            Assert.Equal(first, TestBodies.Read(oldLease));
        }

        Assert.True(store.TryLease("k", out var newLease));
        using (newLease)
        {
            Assert.Equal(second, TestBodies.Read(newLease));
        }

        var stats = store.GetStatistics();
        Assert.Equal(1, stats.Objects);
        Assert.Equal(1, stats.UnfreedObjects);
        Assert.Equal(2 * store.PageSize, stats.DataBytes);
    }

    [Fact]
    public void TryReplaceMetadata_StoredBody_NewLeasesSeeItOldLeasesKeepTheirs()
    {
        using var store = TestBodies.CreateStore();
        TestBodies.Put(store, "k", TestBodies.Create(10, 1), metadata: "v1", metadataBytes: 100);
        Assert.True(store.TryLease("k", out var before));
        var used = store.GetStatistics().UsedBytes;

        Assert.True(store.TryReplaceMetadata("k", "v2", 300, before.Owner));

        Assert.Equal("v1", before.Metadata);
        before.Dispose();
        Assert.True(store.TryLease("k", out var after));
        Assert.Equal("v2", after.Metadata);
        after.Dispose();
        Assert.Equal(used + 200, store.GetStatistics().UsedBytes);
    }

    [Fact]
    public void TryReplaceMetadata_DifferentBody_Refused()
    {
        using var store = TestBodies.CreateStore();
        TestBodies.Put(store, "k", TestBodies.Create(10, 1), metadata: "v1");
        Assert.True(store.TryLease("k", out var old));
        TestBodies.Put(store, "k", TestBodies.Create(10, 2), metadata: "v2");

        Assert.False(store.TryReplaceMetadata("k", "stale", 0, old.Owner));
        Assert.False(store.TryReplaceMetadata("missing", "x", 0));

        old.Dispose();
        Assert.True(store.TryLease("k", out var current));
        Assert.Equal("v2", current.Metadata);
        current.Dispose();
    }

    [Fact]
    public void Remove_LeasedBody_MemoryFreedOnlyWhenLeaseReturned()
    {
        using var store = TestBodies.CreateStore();
        var body = TestBodies.Create(20_000, 1);
        TestBodies.Put(store, "k", body);
        Assert.True(store.TryLease("k", out var lease));

        Assert.True(store.Remove("k"));

        Assert.False(store.TryLease("k", out _));
        Assert.Equal(1, store.GetStatistics().UnfreedObjects);
        Assert.Equal(body, TestBodies.Read(lease));
        lease.Dispose();
        Assert.Equal(0, store.GetStatistics().UnfreedObjects);
        Assert.True(store.GetStatistics().FreedUnpunchedBytes > 0);
        store.FlushPending();
        Assert.Equal(0, store.GetStatistics().UsedBytes);
        Assert.False(store.Remove("k"));
    }

    [Fact]
    public void Dispose_LeaseTwice_Throws()
    {
        using var store = TestBodies.CreateStore();
        TestBodies.Put(store, "k", TestBodies.Create(10, 1));
        Assert.True(store.TryLease("k", out var lease));
        var copy = lease;
        lease.Dispose();

        Assert.Throws<InvalidOperationException>(copy.Dispose);
        Assert.Equal(1, store.GetStatistics().UnfreedObjects);
        Assert.True(store.TryLease("k", out var again));
        again.Dispose();
    }

    [Fact]
    public void Retain_SegmentKeptPastLeaseAndEviction_BytesStayUntilRelease()
    {
        using var store = TestBodies.CreateStore();
        var body = TestBodies.Create(70_000, 1);
        TestBodies.Put(store, "k", body);
        Assert.True(store.TryLease("k", out var lease));
        var owner = lease.Owner;
        var sequence = lease.Body;
        owner.Retain();
        lease.Dispose();

        store.Remove("k");

        Assert.Equal(body, System.Buffers.BuffersExtensions.ToArray(sequence));
        Assert.Equal(1, store.GetStatistics().UnfreedObjects);
        owner.Release();
        Assert.Equal(0, store.GetStatistics().UnfreedObjects);
        Assert.Throws<InvalidOperationException>(owner.Retain);
    }

    [Fact]
    public void Release_MoreThanAcquired_Throws()
    {
        using var store = TestBodies.CreateStore();
        TestBodies.Put(store, "k", TestBodies.Create(10, 1));
        Assert.True(store.TryLease("k", out var lease));
        var owner = lease.Owner;
        lease.Dispose();
        store.Remove("k");

        Assert.Throws<InvalidOperationException>(owner.Release);
    }

    [Fact]
    public void Segments_MemfdBackend_FileOffsetsHoldTheSameBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var store = TestBodies.CreateStore();
        var body = TestBodies.Create(150_000, 9);
        TestBodies.Put(store, "k", body, knownLength: false);
        Assert.True(store.TryLease("k", out var lease));
        using (lease)
        {
            Assert.True(store.GetStatistics().UsesMemfd);
            var segments = 0;
            long position = 0;
            foreach (var segment in lease.Segments)
            {
                segments++;
                Assert.NotNull(segment.File);

                // Read the memfd itself at the segment's file offset: what sendfile would send.
                var fd = segment.File!.DangerousGetHandle();
                using var file = File.OpenHandle($"/proc/self/fd/{fd}", FileMode.Open, FileAccess.Read);
                var fromFile = new byte[segment.Memory.Length];
                Assert.Equal(fromFile.Length, RandomAccess.Read(file, fromFile, segment.FileOffset));
                Assert.Equal(body.AsSpan((int)position, fromFile.Length).ToArray(), fromFile);
                position += fromFile.Length;
            }

            Assert.Equal(body.Length, position);
            Assert.True(segments > 1);
        }
    }

    [Fact]
    public void Segments_AnonymousBackend_NoFileButSameBytes()
    {
        using var store = TestBodies.CreateStore(anonymous: true);
        var body = TestBodies.Create(100_000, 3);
        TestBodies.Put(store, "k", body);
        TestBodies.Put(store, "s", TestBodies.Create(100, 4));

        Assert.True(store.TryLease("k", out var lease));
        using (lease)
        {
            Assert.False(store.GetStatistics().UsesMemfd);
            Assert.True(lease.IsSealed);
            foreach (var segment in lease.Segments)
            {
                Assert.Null(segment.File);
            }

            Assert.Equal(body, TestBodies.ReadSegments(lease));
        }

        store.Remove("k");
        store.Remove("s");
        store.FlushPending();
        Assert.Equal(0, store.GetStatistics().UsedBytes);
    }

    [Fact]
    public void IsSealed_SmallBody_OnlyOnceItsPageblockIsFull()
    {
        using var store = TestBodies.CreateStore();
        TestBodies.Put(store, "first", TestBodies.Create(1000, 0));
        Assert.True(store.TryLease("first", out var lease));
        Assert.False(lease.IsSealed);

        // 1000 bytes round to the 1024-byte class: 64 slots per 64 KiB pageblock.
        for (var i = 1; i < store.BlockSize / 1024; i++)
        {
            TestBodies.Put(store, "k" + i, TestBodies.Create(1000, i));
        }

        Assert.True(lease.IsSealed);
        lease.Dispose();
        var stats = store.GetStatistics();
        Assert.Equal(1, stats.SealedPageblocks);
    }

    [Fact]
    public void IsSealed_LargeBody_AtCommit()
    {
        using var store = TestBodies.CreateStore();
        using var writer = store.CreateWriter(10_000);
        writer.TryAppend(TestBodies.Create(10_000, 1));
        using (var reader = writer.OpenReader())
        {
            Assert.False(reader.IsSealed);
        }

        writer.TryCommit("k", null, 0);
        Assert.True(store.TryLease("k", out var lease));
        Assert.True(lease.IsSealed);
        lease.Dispose();
    }

    [Fact]
    public void CreateWriter_BodyPastMaxObjectSize_FailsAndLeavesNoTrace()
    {
        using var store = TestBodies.CreateStore(maxObjectSize: 100_000);

        using var writer = store.CreateWriter();
        Assert.False(writer.TryAppend(TestBodies.Create(100_001, 1)));

        Assert.True(writer.IsFailed);
        Assert.False(writer.TryCommit("k", null, 0));
        store.FlushPending();
        Assert.Equal(0, store.GetStatistics().UsedBytes);
        Assert.True(store.CreateWriter(100_001).IsFailed);
    }

    [Fact]
    public void TryAppend_SmallBodyLongerThanAnnounced_FailsAndLeavesNoTrace()
    {
        using var store = TestBodies.CreateStore();
        using var writer = store.CreateWriter(100);

        Assert.False(writer.TryAppend(TestBodies.Create(200, 1)));

        Assert.True(writer.IsFailed);
        store.FlushPending();
        Assert.Equal(0, store.GetStatistics().UsedBytes);
    }

    [Fact]
    public void GetMemoryAdvance_ReadStraightIntoStore_CommitsBytes()
    {
        using var store = TestBodies.CreateStore();
        var body = TestBodies.Create(30_000, 5);
        using var writer = store.CreateWriter();
        var written = 0;
        while (written < body.Length)
        {
            var memory = writer.GetMemory(8192);
            var count = Math.Min(memory.Length, Math.Min(3333, body.Length - written));
            body.AsSpan(written, count).CopyTo(memory.Span);
            writer.Advance(count);
            written += count;
        }

        Assert.True(writer.TryCommit("k", null, 0));
        Assert.Throws<InvalidOperationException>(() => writer.GetMemory());
        Assert.True(store.TryLease("k", out var lease));
        Assert.Equal(body, TestBodies.Read(lease));
        lease.Dispose();
    }

    [Fact]
    public void TryCommit_OverLimit_EvictsAndStaysUnderLimit()
    {
        using var store = TestBodies.CreateStore(memoryLimit: 1 << 20);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(TestBodies.Put(store, "k" + i, TestBodies.Create(50_000, i)));
            Assert.True(store.GetStatistics().UsedBytes <= store.MemoryLimit);
        }

        var stats = store.GetStatistics();
        Assert.True(stats.Evictions > 0);
        Assert.True(stats.Objects < 100);
        Assert.True(store.TryLease("k99", out var newest));
        newest.Dispose();
    }

    [Fact]
    public void Eviction_HotKeyUnderScan_SurvivesOneHitWonders()
    {
        using var store = TestBodies.CreateStore(memoryLimit: 1 << 20);
        TestBodies.Put(store, "hot", TestBodies.Create(40_000, 1));
        for (var i = 0; i < 200; i++)
        {
            Assert.True(store.TryLease("hot", out var lease));
            lease.Dispose();
            TestBodies.Put(store, "scan" + i, TestBodies.Create(40_000, i));
        }

        Assert.True(store.Contains("hot"));
        Assert.True(store.GetStatistics().Evictions > 150);
    }

    [Fact]
    public void TryCommit_EverythingLeased_FailsInsteadOfExceedingLimit()
    {
        using var store = TestBodies.CreateStore(memoryLimit: 256 * 1024);
        var leases = new List<BodyLease>();
        var i = 0;
        while (true)
        {
            if (!TestBodies.Put(store, "k" + i, TestBodies.Create(60_000, i)))
            {
                break;
            }

            Assert.True(store.TryLease("k" + i, out var lease));
            leases.Add(lease);
            i++;
            Assert.True(i < 100);
        }

        Assert.True(store.GetStatistics().UsedBytes <= store.MemoryLimit);
        foreach (var lease in leases)
        {
            lease.Dispose();
        }

        Assert.True(TestBodies.Put(store, "after", TestBodies.Create(60_000, 1)));
    }

    [Fact]
    public void Dispose_Store_WhileWritingAndLeased_WriterFailsLeaseStillReads()
    {
        var store = TestBodies.CreateStore(sealBatchSize: 8);
        var body = TestBodies.Create(30_000, 1);
        TestBodies.Put(store, "k", body);
        Assert.True(store.TryLease("k", out var lease));
        var writer = store.CreateWriter();
        writer.TryAppend(TestBodies.Create(20_000, 2));

        store.Dispose();

        Assert.False(writer.TryCommit("late", null, 0));
        Assert.Equal(body, TestBodies.Read(lease));
        lease.Dispose();
        Assert.Equal(0, store.GetStatistics().UnfreedObjects);
    }

    [Fact]
    public void Dispose_Store_WithNothingOutstanding_ReleasesEverything()
    {
        var store = TestBodies.CreateStore();
        TestBodies.Put(store, "k", TestBodies.Create(100_000, 1));

        store.Dispose();

        Assert.Equal(0, store.GetStatistics().UnfreedObjects);
        Assert.Throws<ObjectDisposedException>(() => store.CreateWriter());
    }
}
