using ZProxy.PageBlocks;

namespace ZProxy.PageBlocks.Tests;

/// <summary>Deterministic bodies and small helpers shared by the store tests.</summary>
internal static class TestBodies
{
    /// <summary>A store for tests. The warm reserve is off unless asked for (<paramref name="warmReserve"/>);
    /// <paramref name="manualRefill"/> runs it without its worker thread (the test calls RefillReserve).</summary>
    public static PageBlockStore CreateStore(long memoryLimit = 8L << 20, bool anonymous = false, int largeObjectThreshold = 4096, long? maxObjectSize = null, int pageblockPages = 16, int sealBatchSize = 1, long warmReserve = 0, bool manualRefill = false, TimeSpan? sealDelay = null)
        => new(new PageBlockStoreOptions
        {
            SealDelay = sealDelay ?? new PageBlockStoreOptions().SealDelay,
            WarmReserve = new ByteSize(warmReserve),
            ManualReserveRefill = manualRefill,
            MemoryLimit = new ByteSize(memoryLimit),
            TrackLeases = true,
            UnsafeForceAnonymousMemory = anonymous,
            LargeObjectThreshold = largeObjectThreshold,
            PageblockPages = pageblockPages,
            SealBatchSize = sealBatchSize,
            MaxObjectSize = new ByteSize(maxObjectSize ?? Math.Min(memoryLimit, 64L << 20)),
        });

    /// <summary>The bytes of body <paramref name="seed"/>: a cheap, position-dependent pattern.</summary>
    public static byte[] Create(int length, int seed)
    {
        var bytes = new byte[length];
        Fill(bytes, seed, 0);
        return bytes;
    }

    public static void Fill(Span<byte> destination, int seed, long position)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var p = position + i;
            destination[i] = (byte)((p * 31) + (p >> 8) + (seed * 17) + (seed >> 8));
        }
    }

    /// <summary>Writes and commits a body; the writer is appended in <paramref name="chunk"/>-byte pieces.</summary>
    public static bool Put(PageBlockStore store, string key, byte[] body, bool knownLength = true, object? metadata = null, int metadataBytes = 0, int chunk = 5000)
    {
        using var writer = store.CreateWriter(knownLength ? body.Length : null);
        for (var offset = 0; offset < body.Length; offset += chunk)
        {
            if (!writer.TryAppend(body.AsSpan(offset, Math.Min(chunk, body.Length - offset))))
            {
                return false;
            }
        }

        return writer.TryCommit(key, metadata, metadataBytes);
    }

    public static byte[] Read(in BodyLease lease) => System.Buffers.BuffersExtensions.ToArray(lease.Body);

    /// <summary>The body read segment by segment through <see cref="BodyLease.Segments"/>.</summary>
    public static byte[] ReadSegments(in BodyLease lease)
    {
        var result = new List<byte>();
        foreach (var segment in lease.Segments)
        {
            result.AddRange(segment.Memory.ToArray());
        }

        return [.. result];
    }
}
