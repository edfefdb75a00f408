namespace ZProxy.Caching.Ranges;

/// <summary>How to answer a Range request from a stored 200 (RFC 9110 §14).</summary>
public enum RangeDecision
{
    /// <summary>Ignore the Range: send the full 200.</summary>
    Full = 0,

    /// <summary>Send 206 with <see cref="RangeResult.ContentRange"/> and bytes [Start, Start+Length).</summary>
    Partial,

    /// <summary>Send 416 with <see cref="RangeResult.ContentRange"/> (<c>bytes */length</c>).</summary>
    NotSatisfiable,

    /// <summary>Send 206 <c>multipart/byteranges</c> with one part per <see cref="RangeResult.Parts"/> entry (RFC 9110 §14.6).</summary>
    Multipart,
}
