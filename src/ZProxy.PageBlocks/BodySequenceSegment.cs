using System.Buffers;

namespace ZProxy.PageBlocks;

/// <summary>A link of a multi-extent body's <see cref="ReadOnlySequence{T}"/>, built once when the body is committed.</summary>
/// <remarks>A spare writer's object carries two made ahead (<see cref="StoredObject.PrepareSpareSegments"/>), set once at commit.</remarks>
internal sealed class BodySequenceSegment : ReadOnlySequenceSegment<byte>
{
    /// <summary>Once, before the sequence is published: a segment is never changed after.</summary>
    public void Set(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Links <paramref name="next"/> (a spare, or a new segment when null) after this one.</summary>
    public BodySequenceSegment Append(ReadOnlyMemory<byte> memory, BodySequenceSegment? next = null)
    {
        next ??= new BodySequenceSegment();
        next.Set(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}
