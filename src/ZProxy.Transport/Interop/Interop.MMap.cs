using System.Runtime.InteropServices;

namespace ZProxy.Transport.Interop;

internal static partial class Interop
{
    internal const int ProtRead = 0x1;
    internal const int ProtWrite = 0x2;
    internal const int MapShared = 0x01;
    internal const int MapPrivate = 0x02;
    internal const int MapAnonymous = 0x20;

    /// <summary>
    /// mmap(2); returns -1 (MAP_FAILED) on error. The transport never maps memory itself: this and
    /// the other mapping calls exist for the tests, which build sealed pages as the store does
    /// (LibraryImport needs unsafe code, which only PageBlocks and Transport may enable).
    /// </summary>
    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint MMap(nint address, nuint length, int protection, int flags, int fd, long offset);
}
