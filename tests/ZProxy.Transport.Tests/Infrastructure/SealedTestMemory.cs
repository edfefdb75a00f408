using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using ZProxy.PageBlocks;
using ZProxy.Transport.Buffers;
using static ZProxy.Native.Interop;

namespace ZProxy.Transport.Tests.Infrastructure;

/// <summary>
/// Stand-in for a stored body: pages mapped (anonymous, or from a memfd for sendfile), filled
/// with a deterministic pattern, then sealed read-only with mprotect, so any write by the
/// transport or Kestrel kills the test process. Counts references; tests assert the count
/// returns to zero.
/// </summary>
internal sealed class SealedTestMemory : ISealedMemoryOwner, IDisposable
{
    private const int PageSize = 4096;

    private readonly nint _address;
    private readonly nuint _mappedLength;
    private readonly NativeMemoryManager _manager;
    private readonly SemaphoreSlim _released = new(0);
    private int _references;
    private int _maxReferences;
    private int _underflows;

    private SealedTestMemory(nint address, nuint mappedLength, int length, SafeFileHandle? file)
    {
        _address = address;
        _mappedLength = mappedLength;
        _manager = new NativeMemoryManager(address, length);
        File = file;
        Length = length;
    }

    public int Length { get; }

    public SafeFileHandle? File { get; }

    public ReadOnlyMemory<byte> Memory => _manager.Memory;

    public int References => Volatile.Read(ref _references);

    public int MaxReferences => Volatile.Read(ref _maxReferences);

    public int Underflows => Volatile.Read(ref _underflows);

    public static SealedTestMemory Create(int length, int seed, bool memfd = false)
    {
        var mapped = (nuint)((Math.Max(length, 1) + PageSize - 1) / PageSize * PageSize);
        SafeFileHandle? file = null;
        nint address;
        if (memfd)
        {
            var fd = MemfdCreate("zproxy-test", 0);
            if (fd < 0 || FTruncate(fd, (long)mapped) != 0)
            {
                throw new InvalidOperationException($"memfd failed: {Marshal.GetLastPInvokeError()}");
            }

            file = new SafeFileHandle(fd, ownsHandle: true);
            address = MMap(0, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        }
        else
        {
            address = MMap(0, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MapAnonymous, -1, 0);
        }

        if (address == MapFailed)
        {
            throw new InvalidOperationException($"mmap failed: {Marshal.GetLastPInvokeError()}");
        }

        var memory = new SealedTestMemory(address, mapped, length, file);
        var span = memory._manager.GetSpan();
        var random = new Random(seed);
        random.NextBytes(span);

        if (MProtect(address, mapped, PROT_READ) != 0)
        {
            throw new InvalidOperationException($"mprotect failed: {Marshal.GetLastPInvokeError()}");
        }

        return memory;
    }

    public byte[] Sha256() => SHA256.HashData(Memory.Span);

    public byte[] Sha256(long offset, long length) => SHA256.HashData(Memory.Span.Slice((int)offset, (int)length));

    /// <summary>The body as <paramref name="parts"/> contiguous segments of roughly equal size.</summary>
    public SealedSegment[] Segments(int parts = 1)
    {
        var result = new SealedSegment[parts];
        var size = Length / parts;
        var offset = 0;
        for (var i = 0; i < parts; i++)
        {
            var length = i == parts - 1 ? Length - offset : size;
            result[i] = new SealedSegment(Memory.Slice(offset, length), File, offset);
            offset += length;
        }

        return result;
    }

    public void Retain()
    {
        var now = Interlocked.Increment(ref _references);
        var max = Volatile.Read(ref _maxReferences);
        while (now > max && Interlocked.CompareExchange(ref _maxReferences, now, max) != max)
        {
            max = Volatile.Read(ref _maxReferences);
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) < 0)
        {
            Interlocked.Increment(ref _underflows);
        }

        _released.Release();
    }

    /// <summary>Waits until every reference is released; throws after <paramref name="timeout"/>.</summary>
    public async Task WaitForZeroAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (References != 0)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero || !await _released.WaitAsync(remaining))
            {
                throw new TimeoutException($"{References} references still held after {timeout}.");
            }
        }
    }

    public void Dispose()
    {
        // Unmapping memory the transport still references would crash the process; leak instead.
        if (References == 0)
        {
            _ = MUnmap(_address, _mappedLength);
            File?.Dispose();
        }
    }
}
