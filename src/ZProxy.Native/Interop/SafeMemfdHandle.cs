using System.Runtime.InteropServices;

namespace ZProxy.Native;

/// <summary>The file descriptor of an arena's memfd; closed with close(2) when released.</summary>
internal sealed class SafeMemfdHandle : SafeHandle
{
    public SafeMemfdHandle()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public SafeMemfdHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    /// <summary>The raw descriptor, for calls made while a reference is held (DangerousAddRef).</summary>
    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Interop.Close((int)handle) == 0;
}
