using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ZProxy.Transport.Interop;

internal static partial class Interop
{
    /// <summary>memfd_create(2): an anonymous file, as the store's arenas.</summary>
    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial SafeFileHandle MemfdCreate(string name, uint flags);
}
