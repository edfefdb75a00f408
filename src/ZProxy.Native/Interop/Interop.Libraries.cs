namespace ZProxy.Native;

internal static partial class Interop
{
    /// <summary>The C library; resolves to glibc/musl on Linux and libSystem on macOS.</summary>
    internal const string Libc = "libc";
}
