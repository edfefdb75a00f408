using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ZProxy.PageBlocks;

namespace ZProxy.Transport.Connections;

/// <summary>
/// One item of the send queue: either a pinned block the transport owns (status line, headers,
/// copied bodies are written into it) or a reference to sealed memory whose owner is retained
/// until the kernel has taken every byte.
/// </summary>
/// <remarks>
/// Positions: <see cref="Sent"/> ≤ <see cref="Committed"/> ≤ <see cref="Written"/>. The writer
/// moves <see cref="Written"/>, a flush moves <see cref="Committed"/> (under the queue lock), and
/// only the send loop moves <see cref="Sent"/> and frees the segment.
/// </remarks>
internal sealed class SendSegment
{
    public byte[]? Block;
    public ReadOnlyMemory<byte> Reference;
    public MemoryHandle ReferencePin;
    public ISealedMemoryOwner? Owner;
    public SafeHandle? File;
    public long FileOffset;
    public bool UseSendfile;
    public MinDataRate? MinRate;
    public bool Freed;

    public int Written;
    public int Committed;
    public int Sent;

    public SendSegment? Next;

    public bool IsReference => Owner is not null;

    public static SendSegment ForBlock(byte[] block) => new() { Block = block };

    public static SendSegment ForReference(in SealedSegment segment, ISealedMemoryOwner owner, bool useSendfile)
    {
        // The caller holds a reference (its lease) while handing the segment over; ours is taken
        // here and dropped by the send loop once sent, or when the connection goes away.
        var pin = segment.Memory.Pin();
        owner.Retain();
        return new SendSegment
        {
            Reference = segment.Memory,
            ReferencePin = pin,
            Owner = owner,
            File = segment.File,
            FileOffset = segment.FileOffset,
            UseSendfile = useSendfile,
            Written = segment.Memory.Length,
        };
    }

    /// <summary>Returns the block to the pool or releases the sealed owner. Called exactly once.</summary>
    public void Free(Buffers.PinnedBlockPool pool, bool returnBlock = true)
    {
        Freed = true;
        if (Block is { } block)
        {
            Block = null;
            if (returnBlock)
            {
                pool.ReturnArray(block);
            }
        }
        else if (Owner is { } owner)
        {
            Owner = null;
            ReferencePin.Dispose();
            Reference = default;
            File = null;
            owner.Release();
        }
    }
}
