using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ZProxy.Transport.Interop;

internal static partial class Interop
{
    /// <summary>ftruncate(2): sizes the memfd.</summary>
    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int FTruncate(SafeFileHandle fd, long length);
}
