using System.Globalization;

namespace ZProxy.Caching.Ranges;

/// <summary>The answer to a Range request.</summary>
/// <param name="Decision">What to send.</param>
/// <param name="Reason">Why.</param>
/// <param name="Start">First byte offset for <see cref="RangeDecision.Partial"/>.</param>
/// <param name="Length">Number of bytes for <see cref="RangeDecision.Partial"/>.</param>
/// <param name="ContentRange">The Content-Range value for 206 and 416, else null.</param>
/// <param name="Parts">For <see cref="RangeDecision.Multipart"/>: the ranges, ascending and apart, two or more.</param>
public readonly record struct RangeResult(RangeDecision Decision, RangeReason Reason, long Start, long Length, string? ContentRange,
    IReadOnlyList<ByteRange>? Parts = null);

/// <summary>Bytes [<see cref="Start"/>, <see cref="Start"/> + <see cref="Length"/>) of a representation.</summary>
public readonly record struct ByteRange(long Start, long Length)
{
    /// <summary>The Content-Range value of this range in a representation of <paramref name="total"/> bytes.</summary>
    public string ContentRange(long total) =>
        string.Create(CultureInfo.InvariantCulture, $"bytes {Start}-{Start + Length - 1}/{total}");
}
