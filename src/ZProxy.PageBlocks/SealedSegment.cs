using System.Runtime.InteropServices;

namespace ZProxy.PageBlocks;

/// <summary>
/// One contiguous run of a stored body: the mapped bytes and, when the arena is a memfd, the file
/// position of the same bytes so they can be sent with <c>sendfile</c>.
/// </summary>
/// <param name="Memory">The bytes, in sealed memory. Writing to them kills the process.</param>
/// <param name="File">The memfd behind the mapping, or null on the anonymous-memory backend.</param>
/// <param name="FileOffset">Offset of <paramref name="Memory"/> in <paramref name="File"/>.</param>
public readonly record struct SealedSegment(ReadOnlyMemory<byte> Memory, SafeHandle? File, long FileOffset);
