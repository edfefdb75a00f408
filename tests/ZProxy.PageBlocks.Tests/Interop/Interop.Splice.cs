using System.Runtime.InteropServices;

namespace ZProxy.PageBlocks.Tests;

internal static partial class Interop
{
    /// <summary>
    /// splice(2): moves file pages into a pipe by reference, as sendfile does internally; the pipe then
    /// holds the page, which is what the punch-hole rule protects.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "splice", SetLastError = true)]
    internal static unsafe partial nint Splice(int fdIn, long* offIn, int fdOut, long* offOut, nuint length, uint flags);
}
