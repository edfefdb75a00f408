using static ZProxy.Native.Interop;

namespace ZProxy.Transport.Connections;

/// <summary>The socket side of an inline send: one non-blocking gathered send, no waiting.</summary>
internal interface IInlineSender
{
    /// <summary>
    /// One non-blocking <c>sendmsg(2)</c> of the iovecs. Returns the bytes the kernel took, or 0
    /// when it took none (EAGAIN, or an error the send loop will meet and handle itself).
    /// <paramref name="fileFollows"/>: a sendfile of the same response comes next (see MSG_MORE).
    /// </summary>
    unsafe long TrySend(IOVector* vectors, int count, bool fileFollows);
}
