namespace ZProxy.Transport;

/// <summary>How a hit body was handed to the transport.</summary>
/// <param name="ReferenceBytes">Bytes queued by reference, to go out with sendmsg from sealed memory.</param>
/// <param name="SendfileBytes">Bytes queued by reference, to go out with sendfile from the memfd.</param>
/// <param name="CopiedBytes">Bytes copied through Kestrel's response writer.</param>
/// <param name="CopyReason">Why anything was copied (a <see cref="HitBodyCopyReasons"/> value), or null.</param>
public readonly record struct HitBodySendResult(long ReferenceBytes, long SendfileBytes, long CopiedBytes, string? CopyReason);
