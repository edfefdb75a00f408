using System.Security.Cryptography;

namespace ZProxy.DemoOrigin;

/// <summary>
/// The deterministic bytes of the demo assets: the same on every machine and every run, so a
/// client (or a load test) can check what a proxy returned against a known checksum.
/// </summary>
public static class DemoContent
{
    /// <summary>The Last-Modified instant of every static demo resource.</summary>
    public static readonly DateTimeOffset LastModified = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Fills <paramref name="destination"/> with the pseudo-random bytes for <paramref name="seed"/>.</summary>
    /// <remarks>xorshift64*: cheap, reproducible, and incompressible enough that no layer can cheat.</remarks>
    public static void Fill(Span<byte> destination, ulong seed)
    {
        var state = seed | 1;
        for (var i = 0; i < destination.Length; i++)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            destination[i] = (byte)((state * 0x2545F4914F6CDD1DUL) >> 56);
        }
    }

    /// <summary>Creates the bytes of a demo asset of <paramref name="length"/> bytes.</summary>
    public static byte[] Create(int length)
    {
        var bytes = new byte[length];
        Fill(bytes, (ulong)length);
        return bytes;
    }

    /// <summary>A strong entity tag derived from the content (RFC 9110 §8.8.3).</summary>
    public static string StrongETag(ReadOnlySpan<byte> content) =>
        "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8)) + "\"";
}
