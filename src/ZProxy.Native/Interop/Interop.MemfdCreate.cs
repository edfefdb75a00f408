using System.Runtime.InteropServices;

namespace ZProxy.Native;

internal static partial class Interop
{
    /// <summary>Close the descriptor on exec, so a child process never inherits the store (memfd_create(2)).</summary>
    internal const uint MFD_CLOEXEC = 0x0001;

    /// <summary>
    /// Creates an anonymous file that lives in memory (memfd_create(2), Linux 3.17+). Its pages can be
    /// mapped shared and handed to <c>sendfile</c> by file offset.
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int MemfdCreate(string name, uint flags);
}
