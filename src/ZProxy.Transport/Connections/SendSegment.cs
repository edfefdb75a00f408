using System.Buffers;
using System.Diagnostics;
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

    /// <summary>Makes this (new or recycled) segment hold <paramref name="block"/>.</summary>
    public SendSegment ForBlock(byte[] block)
    {
        Block = block;
        return this;
    }

    /// <summary>Makes this (new or recycled) segment a reference to <paramref name="segment"/>.</summary>
    public SendSegment ForReference(in SealedSegment segment, ISealedMemoryOwner owner, bool useSendfile, MinDataRate? minRate)
    {
        // The caller holds a reference (its lease) while handing the segment over; ours is taken
        // here and dropped by the send loop once sent, or when the connection goes away.
        ReferencePin = segment.Memory.Pin();
        owner.Retain();
        Reference = segment.Memory;
        Owner = owner;
        File = segment.File;
        FileOffset = segment.FileOffset;
        UseSendfile = useSendfile;
        MinRate = minRate;
        Written = segment.Memory.Length;
        return this;
    }

    /// <summary>Clears a freed segment that nothing links to any more, for reuse by the same queue.</summary>
    public void Reset()
    {
        Debug.Assert(Freed && Block is null && Owner is null, "Only a freed segment is reused.");
        ReferencePin = default;
        File = null;
        FileOffset = 0;
        UseSendfile = false;
        MinRate = null;
        Freed = false;
        Written = Committed = Sent = 0;
        Next = null;
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
