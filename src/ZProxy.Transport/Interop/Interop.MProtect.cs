using System.Runtime.InteropServices;

namespace ZProxy.Transport.Interop;

internal static partial class Interop
{
    /// <summary>mprotect(2): the test seals its pages read-only, as the store does.</summary>
    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    internal static partial int MProtect(nint address, nuint length, int protection);
}
