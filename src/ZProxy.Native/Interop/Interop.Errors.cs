using System.Net.Sockets;

namespace ZProxy.Native;

internal static partial class Interop
{
    // errno values from asm-generic/errno-base.h and errno.h (identical on x64 and arm64 Linux).
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int EPIPE = 32;
    internal const int ECONNRESET = 104;
    internal const int ENOTCONN = 107;
    internal const int ESHUTDOWN = 108;

    /// <summary>Maps an errno from a failed send to the SocketError the rest of the stack expects.</summary>
    internal static SocketException CreateSocketException(int errno) => errno switch
    {
        EPIPE or ECONNRESET => new SocketException((int)SocketError.ConnectionReset),
        ENOTCONN => new SocketException((int)SocketError.NotConnected),
        ESHUTDOWN => new SocketException((int)SocketError.Shutdown),
        _ => new SocketException((int)SocketError.SocketError),
    };
}
