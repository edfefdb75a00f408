namespace ZProxy.Transport;

/// <summary>
/// Why a hit body (or one of its segments) was copied instead of sent by reference: the values
/// of the <c>reason</c> tag of <c>zproxy.hit.copy.fallbacks</c> and of
/// <see cref="HitBodySendResult.CopyReason"/>.
/// </summary>
public static class HitBodyCopyReasons
{
    /// <summary>Not HTTP/1.x: HTTP/2 and HTTP/3 frame the body in Kestrel's own buffers.</summary>
    /// <summary>The store had not sealed the memory yet (a small object whose pageblock is not full, or a seal
    /// still batched): only sealed memory is handed out by reference, so a stray write can never corrupt it.</summary>
    public const string Unsealed = "unsealed";

    public const string Protocol = "protocol";

    /// <summary>TLS: the transport writer sits under SslStream, which encrypts into its own buffer.</summary>
    public const string Tls = "tls";

    /// <summary>The connection is not ZProxy's transport (for example Kestrel's socket transport).</summary>
    public const string ForeignTransport = "foreign_transport";

    /// <summary>No Content-Length, or a Transfer-Encoding: Kestrel frames chunks into memory of its own.</summary>
    public const string Chunked = "chunked";

    /// <summary>The response's Content-Length differs from the body's length.</summary>
    public const string ContentLength = "content_length";

    /// <summary>A flush of the transport was still pending, so Kestrel buffers instead of passing through.</summary>
    public const string FlushPending = "flush_pending";

    /// <summary>
    /// The response body writer is not Kestrel's own (a middleware wrapped it): a wrapper could
    /// write into memory it gets from the writer below, so sealed memory is never offered to it.
    /// </summary>
    public const string BodyWrapped = "body_wrapped";

    /// <summary>GetMemory did not hand back the armed segment (a wrapped body writer, or Kestrel buffered).</summary>
    public const string NotPassedThrough = "not_passed_through";
}
