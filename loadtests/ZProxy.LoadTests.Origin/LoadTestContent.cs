using System.Security.Cryptography;
using ZProxy.DemoOrigin;

namespace ZProxy.LoadTests.Origin;

/// <summary>
/// The bytes the load-test origin serves. Everything is a pure function of the URL, so a load
/// generator recomputes the expected checksum of any response without asking the origin.
/// </summary>
public static class LoadTestContent
{
    /// <summary>The fixed benchmark assets: name in <c>/bench/{name}.bin</c> and length in bytes.</summary>
    public static IReadOnlyList<(string Name, int Length)> BenchAssets { get; } =
    [
        ("1k", 1024),
        ("16k", 16 * 1024),
        ("128k", 128 * 1024),
        ("1m", 1024 * 1024),
    ];

    /// <summary>The largest object <c>/obj/{id}/{size}</c> serves (64 MiB, the store's default object limit).</summary>
    public const int MaxObjectSize = 64 << 20;

    /// <summary>The bytes of a benchmark asset: the demo origin's seeding (seed = length), so 1k and 1m equal its assets.</summary>
    public static byte[] BenchAsset(int length) => DemoContent.Create(length);

    /// <summary>The seed of object <paramref name="id"/> of <paramref name="size"/> bytes (splitmix64 of both).</summary>
    public static ulong ObjectSeed(long id, int size)
    {
        var z = unchecked(((ulong)id * 0x9E3779B97F4A7C15UL) ^ ((ulong)size << 32) ^ 0xD1B54A32D192ED03UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>Writes the bytes of object <paramref name="id"/> (length = destination length).</summary>
    public static void FillObject(Span<byte> destination, long id) => DemoContent.Fill(destination, ObjectSeed(id, destination.Length));

    /// <summary>The SHA-256 of object <paramref name="id"/> of <paramref name="size"/> bytes.</summary>
    public static byte[] ObjectSha256(long id, int size)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
        try
        {
            FillObject(buffer.AsSpan(0, size), id);
            return SHA256.HashData(buffer.AsSpan(0, size));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The strong entity tag of an object: content is a pure function of id and size (RFC 9110 §8.8.3).</summary>
    public static string ObjectETag(long id, int size) => $"\"o{id}-{size}\"";
}
