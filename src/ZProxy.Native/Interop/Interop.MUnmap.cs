using System.Runtime.InteropServices;

namespace ZProxy.Native;

internal static partial class Interop
{
    /// <summary>munmap(2).</summary>
    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int MUnmap(nint addr, nuint length);
}
