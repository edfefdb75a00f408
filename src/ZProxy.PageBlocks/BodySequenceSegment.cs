using System.Buffers;

namespace ZProxy.PageBlocks;

/// <summary>A link of a multi-extent body's <see cref="ReadOnlySequence{T}"/>, built once when the body is committed.</summary>
internal sealed class BodySequenceSegment : ReadOnlySequenceSegment<byte>
{
    public BodySequenceSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public BodySequenceSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new BodySequenceSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}
