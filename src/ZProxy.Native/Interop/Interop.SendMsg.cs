using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ZProxy.Native;

internal static partial class Interop
{
    /// <summary><c>MSG_DONTWAIT</c>: never block, even if the descriptor is in blocking mode (send(2)).</summary>
    internal const int MSG_DONTWAIT = 0x40;

    /// <summary><c>MSG_NOSIGNAL</c>: report EPIPE instead of raising SIGPIPE when the peer is gone (send(2)).</summary>
    internal const int MSG_NOSIGNAL = 0x4000;

    /// <summary><c>MSG_MORE</c>: more data follows; hold a partial segment for it (send(2), TCP_CORK per call).</summary>
    internal const int MSG_MORE = 0x8000;

    /// <summary>Linux <c>struct iovec</c> (readv(2)).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct IOVector
    {
        public byte* Base;
        public nuint Count;
    }

    /// <summary>Linux <c>struct msghdr</c> (sendmsg(2)); sequential layout gives the natural padding.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IOVector* IOVectors;
        public nuint IOVectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>
    /// sendmsg(2). The socket is passed as its SafeHandle so the marshaller holds a reference for
    /// the duration of the call: a concurrent Dispose cannot close the descriptor (and let the
    /// number be reused by another connection) while the kernel is reading our iovecs.
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "sendmsg", SetLastError = true)]
    internal static unsafe partial nint SendMsg(SafeSocketHandle socket, MessageHeader* message, int flags);
}
