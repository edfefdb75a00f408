using System.Runtime.InteropServices;

namespace ZProxy.Native;

internal static partial class Interop
{
    /// <summary>
    /// mprotect(2): sealing is <c>PROT_READ</c> on a page-aligned range, after which a write faults
    /// (SIGSEGV) instead of corrupting bytes that may be in flight.
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "mprotect", SetLastError = true)]
    internal static partial int MProtect(nint addr, nuint length, int prot);
}
