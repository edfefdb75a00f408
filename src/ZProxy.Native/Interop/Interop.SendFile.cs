using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ZProxy.Native;

internal static partial class Interop
{
    /// <summary>
    /// sendfile(2) from a regular file (the store's memfd) to a socket. <paramref name="offset"/> is
    /// advanced by the kernel; the file position is not used. The caller holds a reference on the
    /// file's SafeHandle around the call (DangerousAddRef), for the same fd-reuse reason as sendmsg.
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "sendfile", SetLastError = true)]
    internal static partial nint SendFile(SafeSocketHandle socket, nint inFile, ref long offset, nuint count);
}
