using System.Runtime.InteropServices;
using ZProxy.PageBlocks.Memory;

namespace ZProxy.PageBlocks;

/// <summary>
/// The readable bytes of a body as <see cref="SealedSegment"/> values, one per contiguous piece; a struct
/// enumerable so <c>foreach</c> allocates nothing.
/// </summary>
public readonly struct SealedSegmentEnumerable
{
    private readonly StoredObject _object;

    internal SealedSegmentEnumerable(StoredObject storedObject) => _object = storedObject;

    /// <summary>Starts the enumeration.</summary>
    public Enumerator GetEnumerator() => new(_object);

    /// <summary>Enumerates the segments.</summary>
    public struct Enumerator
    {
        private readonly BodyExtent[] _extents;
        private readonly int _count;
        private readonly long _length;
        private long _position;
        private int _index;

        internal Enumerator(StoredObject storedObject)
        {
            // Count before array, the order the writer publishes them in.
            _count = storedObject.ExtentCount;
            _extents = storedObject.ExtentArray;
            _length = storedObject.Available;
            _index = -1;
            _position = 0;
            Current = default;
        }

        /// <summary>The current segment.</summary>
        public SealedSegment Current { get; private set; }

        /// <summary>Moves to the next segment.</summary>
        public bool MoveNext()
        {
            if (_position >= _length || _index + 1 >= _count)
            {
                return false;
            }

            _index++;
            var extent = _extents[_index];
            var length = (int)Math.Min(extent.Capacity, _length - _position);
            var block = extent.Block;
            SafeHandle? file = block.Arena.File;
            Current = new SealedSegment(block.Bytes.Slice(extent.Offset, length), file, block.ArenaOffset + extent.Offset);
            _position += length;
            return true;
        }
    }
}
