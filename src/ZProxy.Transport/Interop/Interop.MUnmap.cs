using System.Runtime.InteropServices;

namespace ZProxy.Transport.Interop;

internal static partial class Interop
{
    /// <summary>munmap(2).</summary>
    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    internal static partial int MUnmap(nint address, nuint length);
}
