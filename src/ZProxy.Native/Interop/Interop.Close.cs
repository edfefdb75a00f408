using System.Runtime.InteropServices;

namespace ZProxy.Native;

internal static partial class Interop
{
    /// <summary>close(2).</summary>
    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
