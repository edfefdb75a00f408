namespace ZProxy.Caching.Ranges;

/// <summary>The answer to a Range request.</summary>
/// <param name="Decision">What to send.</param>
/// <param name="Reason">Why.</param>
/// <param name="Start">First byte offset for <see cref="RangeDecision.Partial"/>.</param>
/// <param name="Length">Number of bytes for <see cref="RangeDecision.Partial"/>.</param>
/// <param name="ContentRange">The Content-Range value for 206 and 416, else null.</param>
public readonly record struct RangeResult(RangeDecision Decision, RangeReason Reason, long Start, long Length, string? ContentRange);
