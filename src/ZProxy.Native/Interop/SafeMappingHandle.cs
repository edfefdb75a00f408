using System.Runtime.InteropServices;

namespace ZProxy.Native;

/// <summary>An mmap(2) mapping; unmapped with munmap(2) when released.</summary>
internal sealed class SafeMappingHandle : SafeHandle
{
    public SafeMappingHandle(nint address, nuint length)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        Length = length;
        SetHandle(address);
    }

    public nuint Length { get; }

    public override bool IsInvalid => handle == -1 || handle == 0;

    protected override bool ReleaseHandle() => Interop.MUnmap(handle, Length) == 0;
}
