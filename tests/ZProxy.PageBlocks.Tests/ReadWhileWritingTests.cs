using Xunit;

namespace ZProxy.PageBlocks.Tests;

/// <summary>Coalesced readers follow a body while it is written.</summary>
public class ReadWhileWritingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(null)]
    [InlineData(200_000L)]
    [InlineData(3000L)]
    public async Task OpenReader_BodyStreamedInPieces_ReaderSeesEveryByteThenCompletion(long? expected)
    {
        using var store = TestBodies.CreateStore();
        var body = TestBodies.Create((int)(expected ?? 150_000), 7);
        using var writer = store.CreateWriter(expected);
        using var reader = writer.OpenReader();
        var readTask = ReadAllAsync(reader);

        for (var offset = 0; offset < body.Length; offset += 1000)
        {
            Assert.True(writer.TryAppend(body.AsSpan(offset, Math.Min(1000, body.Length - offset))));
            if (offset % 20_000 == 0)
            {
                await Task.Yield();
            }
        }

        Assert.False(readTask.IsCompleted);
        Assert.True(writer.TryCommit("k", "meta", 10));

        var (result, bytes) = await readTask.WaitAsync(Timeout);
        Assert.Equal(BodyWaitResult.Completed, result);
        Assert.Equal(body, bytes);
        Assert.True(reader.IsComplete);
    }

    [Fact]
    public async Task WaitAsync_WriterAborts_ReaderSeesAborted()
    {
        using var store = TestBodies.CreateStore();
        using var writer = store.CreateWriter();
        using var reader = writer.OpenReader();
        writer.TryAppend(TestBodies.Create(5000, 1));

        var waiting = reader.WaitAsync(5000).AsTask();
        Assert.False(waiting.IsCompleted);
        writer.Abort();

        Assert.Equal(BodyWaitResult.Aborted, await waiting.WaitAsync(Timeout));
        Assert.True(reader.IsAborted);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_Throws()
    {
        using var store = TestBodies.CreateStore();
        using var writer = store.CreateWriter();
        using var reader = writer.OpenReader();
        using var cancellation = new CancellationTokenSource();

        var waiting = reader.WaitAsync(0, cancellation.Token).AsTask();
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout));
    }

    [Fact]
    public async Task WaitAsync_BytesAlreadyThere_CompletesSynchronously()
    {
        using var store = TestBodies.CreateStore();
        using var writer = store.CreateWriter();
        writer.TryAppend(TestBodies.Create(10, 1));
        using var reader = writer.OpenReader();

        var result = reader.WaitAsync(9);

        Assert.True(result.IsCompletedSuccessfully);
        Assert.Equal(BodyWaitResult.Available, await result);
        Assert.True(reader.TryGetMemory(0, out var memory));
        Assert.Equal(10, memory.Length);
        Assert.False(reader.TryGetMemory(10, out _));
        Assert.Throws<InvalidOperationException>(() => reader.Body);
    }

    [Fact]
    public async Task OpenReader_SmallUnknownLengthMovedAtCommit_ReaderFinishesOnOriginalCopy()
    {
        using var store = TestBodies.CreateStore();
        var body = TestBodies.Create(500, 2);
        using var writer = store.CreateWriter();
        using var early = writer.OpenReader();
        writer.TryAppend(body);

        Assert.True(writer.TryCommit("k", null, 0));

        Assert.Equal(BodyWaitResult.Completed, await early.WaitAsync(500));
        Assert.True(early.TryGetMemory(0, out var memory));
        Assert.Equal(body, memory.ToArray());
        using var late = writer.OpenReader();
        Assert.Equal(body, TestBodies.Read(late));
        Assert.Equal(2, store.GetStatistics().UnfreedObjects);
    }

    [Fact]
    public void OpenReader_AfterAbort_Throws()
    {
        using var store = TestBodies.CreateStore();
        var writer = store.CreateWriter();
        writer.Abort();

        Assert.Throws<InvalidOperationException>(() => writer.OpenReader());
    }

    private static async Task<(BodyWaitResult Result, byte[] Bytes)> ReadAllAsync(BodyLease reader)
    {
        var bytes = new List<byte>();
        long position = 0;
        while (true)
        {
            var result = await reader.WaitAsync(position);
            if (result != BodyWaitResult.Available)
            {
                return (result, [.. bytes]);
            }

            while (reader.TryGetMemory(position, out var memory))
            {
                bytes.AddRange(memory.ToArray());
                position += memory.Length;
            }
        }
    }
}
