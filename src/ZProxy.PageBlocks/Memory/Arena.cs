using System.ComponentModel;
using System.Runtime.InteropServices;

namespace ZProxy.PageBlocks.Memory;

/// <summary>
/// One contiguous mapping of store memory, cut into pageblocks. On Linux it is a memfd mapped
/// <c>MAP_SHARED</c> (so bytes can also go out by <c>sendfile</c> at their file offset); elsewhere, or when
/// memfd_create is refused, it is anonymous private memory and <see cref="File"/> is null.
/// </summary>
/// <remarks>
/// The arena is sparse: the memfd is sized with ftruncate and the mapping reserves address space only,
/// so a page costs memory from its first write until it is punched (<see cref="Release"/>).
/// </remarks>
internal sealed unsafe class Arena : IDisposable
{
    private readonly SafeMappingHandle _mapping;
    private readonly SafeMemfdHandle? _file;

    private Arena(int index, SafeMappingHandle mapping, SafeMemfdHandle? file, long size)
    {
        Index = index;
        _mapping = mapping;
        _file = file;
        Size = size;
        Base = (byte*)mapping.DangerousGetHandle();
    }

    public int Index { get; }

    public long Size { get; }

    public byte* Base { get; }

    /// <summary>The memfd behind the mapping, or null on the anonymous-memory backend.</summary>
    public SafeHandle? File => _file;

    public static Arena Create(int index, long size, bool allowMemfd)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The pageblock store needs mmap/mprotect (Linux, macOS, BSD).");
        }

        if (allowMemfd && OperatingSystem.IsLinux())
        {
            var fd = Interop.MemfdCreate("zproxy-store", Interop.MFD_CLOEXEC);
            if (fd >= 0)
            {
                var file = new SafeMemfdHandle(fd);
                if (Interop.FTruncate(fd, size) != 0)
                {
                    var error = Marshal.GetLastPInvokeError();
                    file.Dispose();
                    throw new Win32Exception(error, "ftruncate of the store memfd failed");
                }

                var address = Interop.MMap(0, (nuint)size, Interop.PROT_READ | Interop.PROT_WRITE, Interop.MAP_SHARED, fd, 0);
                if (address == Interop.MapFailed)
                {
                    var error = Marshal.GetLastPInvokeError();
                    file.Dispose();
                    throw new Win32Exception(error, "mmap of the store memfd failed");
                }

                return new Arena(index, new SafeMappingHandle(address, (nuint)size), file, size);
            }

            // ENOSYS (old kernel) or a seccomp filter: fall through to anonymous memory.
        }

        var anonymous = Interop.MMap(
            0,
            (nuint)size,
            Interop.PROT_READ | Interop.PROT_WRITE,
            Interop.MAP_PRIVATE | Interop.MapAnonymous | Interop.MapNoReserve,
            -1,
            0);
        if (anonymous == Interop.MapFailed)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "mmap of anonymous store memory failed");
        }

        return new Arena(index, new SafeMappingHandle(anonymous, (nuint)size), null, size);
    }

    /// <summary>Makes a page-aligned range read-only (sealed) or writable again.</summary>
    public void Protect(long offset, long length, bool readOnly)
    {
        var prot = readOnly ? Interop.PROT_READ : Interop.PROT_READ | Interop.PROT_WRITE;
        if (Interop.MProtect((nint)(Base + offset), (nuint)length, prot) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "mprotect of store memory failed");
        }
    }

    /// <summary>
    /// Drops the pages of a page-aligned range, so the next write gets fresh zeroed pages instead of
    /// rewriting pages the kernel may still reference (a sendfile in flight).
    /// </summary>
    /// <remarks>
    /// memfd: fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE), falling back to madvise(MADV_REMOVE)
    /// (both tmpfs-backed, fallocate(2) and madvise(2)). Anonymous: madvise(MADV_DONTNEED).
    /// </remarks>
    public void Release(long offset, long length)
    {
        if (_file is not null)
        {
            if (Interop.Fallocate(_file.Fd, Interop.FALLOC_FL_PUNCH_HOLE | Interop.FALLOC_FL_KEEP_SIZE, offset, length) == 0)
            {
                return;
            }

            if (Interop.MAdvise((nint)(Base + offset), (nuint)length, Interop.MADV_REMOVE) == 0)
            {
                return;
            }

            throw new Win32Exception(Marshal.GetLastPInvokeError(), "punching store memory failed");
        }

        if (Interop.MAdvise((nint)(Base + offset), (nuint)length, Interop.MADV_DONTNEED) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "madvise(MADV_DONTNEED) of store memory failed");
        }
    }

    /// <summary>
    /// Faults in a range about to be written, in one call (madvise(MADV_POPULATE_WRITE), Linux 5.14+)
    /// instead of one page fault per page. Best effort: older kernels refuse it and the pages fault as usual.
    /// </summary>
    public void Populate(long offset, long length)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Interop.MAdvise((nint)(Base + offset), (nuint)length, Interop.MADV_POPULATE_WRITE);
        }
    }

    /// <summary>
    /// Makes a range of fresh pages (punched or never used) cheap to write, for the warm reserve:
    /// madvise(MADV_POPULATE_WRITE) in one call, then one write of a zero into each page. The pages hold only
    /// zeros, so the writes change nothing but the cost of the next one.
    /// </summary>
    /// <remarks>
    /// Populating alone is not enough on this project's Firecracker guest: after it, the first write into each
    /// page still traps (about 2.4 µs per 4 KiB page, presumably the host backing the guest page), so a
    /// 64 KiB copy into populated pages took 40 µs against 3 µs after populate plus one write per page.
    /// Writing without populating costs 210 to 300 µs per 64 KiB (a guest page fault each); populate plus
    /// the writes 55 to 85 µs (measured with a throwaway probe, machine loaded). On kernels before 5.14
    /// populate fails and the writes fault the pages in.
    /// </remarks>
    public void Prefault(long offset, long length)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Interop.MAdvise((nint)(Base + offset), (nuint)length, Interop.MADV_POPULATE_WRITE);
        }

        var pageSize = Environment.SystemPageSize;
        for (var position = offset; position < offset + length; position += pageSize)
        {
            Volatile.Write(ref Base[position], (byte)0);
        }
    }

    public void Dispose()
    {
        _mapping.Dispose();
        _file?.Dispose();
    }
}
