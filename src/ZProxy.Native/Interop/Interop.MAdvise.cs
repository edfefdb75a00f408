using System.Runtime.InteropServices;

namespace ZProxy.Native;

internal static partial class Interop
{
    /// <summary>MADV_DONTNEED (4 on Linux and macOS): private anonymous pages read back as zeros afterwards.</summary>
    internal const int MADV_DONTNEED = 4;

    /// <summary>MADV_REMOVE (Linux): frees the backing store of a shared mapping, like a punched hole.</summary>
    internal const int MADV_REMOVE = 9;

    /// <summary>MADV_POPULATE_WRITE (Linux 5.14+): prefault pages writable in one call.</summary>
    internal const int MADV_POPULATE_WRITE = 23;

    /// <summary>madvise(2).</summary>
    [LibraryImport(Libc, EntryPoint = "madvise", SetLastError = true)]
    internal static partial int MAdvise(nint addr, nuint length, int advice);
}
