using System.Runtime.InteropServices;

namespace ZProxy.Native;

internal static partial class Interop
{
    /// <summary>
    /// ftruncate(2): sizes the memfd. The file is sparse: pages take memory only when first written.
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int FTruncate(int fd, long length);
}
