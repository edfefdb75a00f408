using System.Runtime.InteropServices;
using ZProxy.PageBlocks;
using ZProxy.Transport.Buffers;
using ZProxy.Transport.Connections;
using ZProxy.Transport.Tests.Infrastructure;

namespace ZProxy.Transport.Tests;

/// <summary>The arming rules of the send queue: sealed memory goes out only on the exact, armed call.</summary>
public sealed class SendQueueTests : IDisposable
{
    private readonly SealedTestMemory _body = SealedTestMemory.Create(10_000, seed: 3);
    private readonly SendQueue _queue = new(new PinnedBlockPool(), new AsyncSignal(), new ZProxyTransportOptions { MaxWriteBufferSize = 8192 });

    [Fact]
    public void GetMemory_ArmedExactSizeOnArmingThread_ReturnsSealedMemoryOnceAndAdvanceQueuesReference()
    {
        var segment = _body.Segments(1)[0];
        Assert.True(_queue.TryArm(segment, _body, rate: null, out var sendfile));
        Assert.False(sendfile);

        var memory = _queue.GetMemory(segment.Memory.Length);
        Assert.True(_queue.IsArmedMemory(memory));
        Assert.True(memory.Equals(MemoryMarshal.AsMemory(segment.Memory)));
        _queue.Advance(segment.Memory.Length);

        Assert.Equal(segment.Memory.Length, _queue.Disarm());
        Assert.Equal(1, _body.References);
        Assert.Equal(segment.Memory.Length, _queue.UnflushedBytes);

        // A second GetMemory of the same size is ordinary memory: the arm is spent.
        var next = _queue.GetMemory(segment.Memory.Length);
        Assert.False(next.Equals(MemoryMarshal.AsMemory(segment.Memory)));

        _queue.OnSendLoopExit();
        Assert.Equal(0, _body.References);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(9_999)]
    [InlineData(10_001)]
    public void GetMemory_ArmedButOtherSize_DisarmsAndReturnsOwnedMemory(int size)
    {
        var segment = _body.Segments(1)[0];
        Assert.True(_queue.TryArm(segment, _body, rate: null, out _));

        var memory = _queue.GetMemory(size);
        Assert.False(_queue.IsArmedMemory(memory));
        Assert.False(memory.Equals(MemoryMarshal.AsMemory(segment.Memory)));

        // The arm is gone: the exact size no longer returns the sealed memory either.
        Assert.False(_queue.GetMemory(segment.Memory.Length).Equals(MemoryMarshal.AsMemory(segment.Memory)));
        Assert.Equal(-1, _queue.Disarm());
        Assert.Equal(0, _body.References);
    }

    [Fact]
    public void GetSpan_WhileArmed_DisarmsAndReturnsWritableMemory()
    {
        var segment = _body.Segments(1)[0];
        Assert.True(_queue.TryArm(segment, _body, rate: null, out _));

        var span = _queue.GetSpan(segment.Memory.Length);
        span[0] = 42; // writable: would fault if it were the sealed pages
        Assert.False(_queue.GetMemory(segment.Memory.Length).Equals(MemoryMarshal.AsMemory(segment.Memory)));
        Assert.Equal(-1, _queue.Disarm());
    }

    [Fact]
    public void GetMemory_FromAnotherThread_NeverGetsSealedMemory()
    {
        var segment = _body.Segments(1)[0];
        Assert.True(_queue.TryArm(segment, _body, rate: null, out _));

        // A dedicated thread: the arm is synchronous in production, so the arming thread cannot
        // be running anything else meanwhile (an await here could let it pick up the work item).
        Memory<byte> memory = default;
        var thread = new Thread(() => memory = _queue.GetMemory(segment.Memory.Length));
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.False(memory.Equals(MemoryMarshal.AsMemory(segment.Memory)));
        Assert.False(_queue.GetMemory(segment.Memory.Length).Equals(MemoryMarshal.AsMemory(segment.Memory)));
        Assert.Equal(-1, _queue.Disarm());
    }

    [Fact]
    public async Task TryArm_FlushPending_RefusesUntilDrained()
    {
        // 16 KiB of owned bytes with a threshold of 8 KiB: the flush waits for the send loop.
        for (var i = 0; i < 4; i++)
        {
            _queue.GetSpan(4096)[..4096].Fill(1);
            _queue.Advance(4096);
        }

        var flush = _queue.FlushAsync();
        Assert.False(flush.IsCompleted);
        Assert.True(_queue.HasPendingFlush);
        Assert.False(_queue.TryArm(_body.Segments(1)[0], _body, rate: null, out _));

        _queue.Consume(16 * 1024);
        var result = await flush;
        Assert.False(result.IsCompleted);
        Assert.True(_queue.TryArm(_body.Segments(1)[0], _body, rate: null, out _));
        _queue.Disarm();
    }

    [Fact]
    public void OnSendLoopExit_WithQueuedReferences_ReleasesEachOnceAndDropsLaterHandOffs()
    {
        foreach (var segment in _body.Segments(5))
        {
            Assert.True(_queue.TryArm(segment, _body, rate: null, out _));
            _queue.Advance(0 + GetLengthAfterGetMemory(segment.Memory.Length));
            _queue.Disarm();
        }

        Assert.Equal(5, _body.References);
        _queue.OnSendLoopExit();
        Assert.Equal(0, _body.References);

        // After the connection is gone nothing is retained any more.
        Assert.False(_queue.TryArm(_body.Segments(1)[0], _body, rate: null, out _));
        Assert.Equal(0, _body.Underflows);
    }

    [Fact]
    public void Advance_ArmedWhenConnectionEndsMidHandOff_CompletesWithoutRetaining()
    {
        var segment = _body.Segments(1)[0];
        Assert.True(_queue.TryArm(segment, _body, rate: null, out _));
        Assert.True(_queue.IsArmedMemory(_queue.GetMemory(segment.Memory.Length)));

        // The send loop exits (abort or reset) between GetMemory and Advance.
        _queue.OnSendLoopExit();
        _queue.Advance(segment.Memory.Length);

        Assert.Equal(segment.Memory.Length, _queue.Disarm());
        Assert.Equal(0, _body.References);
        Assert.Equal(0, _body.MaxReferences);
    }

    [Fact]
    public void OnSendLoopExit_WriterStillOpen_TailBlockGoesBackToPoolOnlyOnComplete()
    {
        var (pool, queue, tail) = QueueWithBytesInTailBlock();

        // An abort ends the send loop while Kestrel may still hold a span into the tail block.
        queue.Abort();
        queue.OnSendLoopExit();
        Assert.NotSame(tail, pool.RentArray(PinnedBlockPool.BlockSize));

        queue.Complete();
        Assert.Same(tail, pool.RentArray(PinnedBlockPool.BlockSize));
    }

    [Fact]
    public void OnSendLoopExit_AfterWriterCompleted_ReturnsTailBlockToPool()
    {
        var (pool, queue, tail) = QueueWithBytesInTailBlock();

        queue.Complete();
        queue.OnSendLoopExit();

        Assert.Same(tail, pool.RentArray(PinnedBlockPool.BlockSize));
    }

    [Fact]
    public void HitResponses_InSteadyState_ReuseTheQueuesSegmentsAndAllocateNothing()
    {
        // Each response: headers in an owned block, the body by reference, one flush, then the
        // send loop's part (head runs taken and consumed). Every response appends two segments.
        var body = _body.Segments(1)[0];
        var sent = new byte[64 * 1024];
        for (var i = 0; i < 8; i++)
        {
            SendResponse(body, (byte)i, sent);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            SendResponse(body, (byte)i, sent);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, _body.References);
    }

    [Fact]
    public void Reference_AdvancedAfterAFlushWhoseBytesAreThenSent_IsStillCommittedAndSentInOrder()
    {
        // The flush commits the headers; the body's reference follows before the send loop takes them.
        // The headers' segment is then sent and unlinked (reused) while the commit cursor still points
        // at it: the next flush must still commit the reference, then the next response's headers.
        var body = _body.Segments(1)[0];
        WriteOwned(200, 1);
        Assert.True(_queue.FlushAsync().IsCompletedSuccessfully);
        Assert.True(_queue.TryArm(body, _body, rate: null, out _));
        _queue.Advance(GetLengthAfterGetMemory(body.Memory.Length));
        _queue.Disarm();

        var sent = new byte[64 * 1024];
        Assert.Equal(200, Drain(sent));

        WriteOwned(100, 2);
        Assert.True(_queue.FlushAsync().IsCompletedSuccessfully);
        var length = Drain(sent);

        Assert.Equal(body.Memory.Length + 100, length);
        Assert.True(sent.AsSpan(0, body.Memory.Length).SequenceEqual(body.Memory.Span));
        Assert.True(sent.AsSpan(body.Memory.Length, 100).IndexOfAnyExcept((byte)2) < 0);
        Assert.Equal(0, _body.References);
    }

    private void SendResponse(in SealedSegment body, byte header, byte[] sent)
    {
        WriteOwned(200, header);
        Assert.True(_queue.TryArm(body, _body, rate: null, out _));
        _queue.Advance(GetLengthAfterGetMemory(body.Memory.Length));
        _queue.Disarm();
        Assert.True(_queue.FlushAsync().IsCompletedSuccessfully);

        var length = Drain(sent);
        Assert.True(length == 200 + body.Memory.Length);
        Assert.True(sent.AsSpan(0, 200).IndexOfAnyExcept(header) < 0);
        Assert.True(sent.AsSpan(200, body.Memory.Length).SequenceEqual(body.Memory.Span));
    }

    private void WriteOwned(int length, byte value)
    {
        _queue.GetSpan(length)[..length].Fill(value);
        _queue.Advance(length);
    }

    /// <summary>The send loop's part without a socket: takes every committed run in order, as sent.</summary>
    private int Drain(byte[] sent)
    {
        var length = 0;
        while (_queue.GetHeadRun(int.MaxValue, out _, out _) is { IsEmpty: false } run)
        {
            run.Span.CopyTo(sent.AsSpan(length));
            length += run.Length;
            _queue.Consume(run.Length);
        }

        return length;
    }

    private static (PinnedBlockPool Pool, SendQueue Queue, byte[] Tail) QueueWithBytesInTailBlock()
    {
        var pool = new PinnedBlockPool();
        var queue = new SendQueue(pool, new AsyncSignal(), new ZProxyTransportOptions());
        var tail = BlockOf(queue.GetMemory(100));
        queue.Advance(10);
        return (pool, queue, tail);
    }

    private static byte[] BlockOf(Memory<byte> memory) =>
        MemoryMarshal.TryGetArray<byte>(memory, out var segment) ? segment.Array! : throw new InvalidOperationException("Not an array.");

    private int GetLengthAfterGetMemory(int length)
    {
        Assert.True(_queue.IsArmedMemory(_queue.GetMemory(length)));
        return length;
    }

    public void Dispose() => _body.Dispose();
}
