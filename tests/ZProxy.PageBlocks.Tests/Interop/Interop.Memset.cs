using System.Runtime.InteropServices;

namespace ZProxy.PageBlocks.Tests;

internal static partial class Interop
{
    /// <summary>memset(3): a native write, so a fault in it is a plain SIGSEGV, not a managed exception.</summary>
    [LibraryImport("libc", EntryPoint = "memset")]
    internal static unsafe partial void* Memset(void* destination, int value, nuint count);
}
