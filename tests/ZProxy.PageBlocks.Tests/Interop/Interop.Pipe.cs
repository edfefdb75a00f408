using System.Runtime.InteropServices;

namespace ZProxy.PageBlocks.Tests;

internal static partial class Interop
{
    /// <summary>pipe(2).</summary>
    [LibraryImport("libc", EntryPoint = "pipe", SetLastError = true)]
    internal static unsafe partial int Pipe(int* fds);

    /// <summary>close(2).</summary>
    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    /// <summary>read(2).</summary>
    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int fd, byte* buffer, nuint count);
}
