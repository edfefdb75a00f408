using System.Runtime.InteropServices;

namespace ZProxy.Native;

internal static partial class Interop
{
    internal const int FALLOC_FL_KEEP_SIZE = 0x01;
    internal const int FALLOC_FL_PUNCH_HOLE = 0x02;

    /// <summary>
    /// fallocate(2). With <c>FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE</c> on a memfd (tmpfs) the pages of
    /// the range are dropped from the file; a later write faults in a fresh zeroed page, so a page
    /// that <c>sendfile</c> still references is never rewritten in place.
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "fallocate", SetLastError = true)]
    internal static partial int Fallocate(int fd, int mode, long offset, long length);
}
