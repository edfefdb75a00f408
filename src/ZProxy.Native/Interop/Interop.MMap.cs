using System.Runtime.InteropServices;

namespace ZProxy.Native;

internal static partial class Interop
{
    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;

    internal const int MAP_SHARED = 0x01;
    internal const int MAP_PRIVATE = 0x02;

    /// <summary>MAP_ANONYMOUS: 0x20 on Linux, 0x1000 (MAP_ANON) on macOS and the BSDs.</summary>
    internal static int MapAnonymous => OperatingSystem.IsLinux() ? 0x20 : 0x1000;

    /// <summary>MAP_NORESERVE on Linux (no swap reservation for a sparse arena); 0 elsewhere.</summary>
    internal static int MapNoReserve => OperatingSystem.IsLinux() ? 0x4000 : 0;

    /// <summary>MAP_FAILED, (void*)-1.</summary>
    internal static readonly nint MapFailed = -1;

    /// <summary>mmap(2).</summary>
    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint MMap(nint addr, nuint length, int prot, int flags, int fd, long offset);
}
