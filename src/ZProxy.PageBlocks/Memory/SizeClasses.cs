using System.Numerics;

namespace ZProxy.PageBlocks.Memory;

/// <summary>
/// The size classes for small bodies: 16-byte steps up to 256 bytes, then 16 classes per doubling, so a
/// body never wastes more than 1/16 (6.25 %) of its slot to rounding and about 3 % on average.
/// </summary>
/// <remarks>
/// ZCopy §3.2.1 packs "memory blocks with similar sizes into the same basic memory unit, namely the
/// pageblock"; finer classes cost more open pageblocks (one per class), which is why the step is
/// geometric above 256 bytes.
/// </remarks>
internal sealed class SizeClasses
{
    private const int Granule = 16;
    private readonly int[] _classOfGranules;
    private readonly int[] _slotSizes;

    public SizeClasses(int largeObjectThreshold)
    {
        var sizes = new List<int>();
        var size = Granule;
        while (size < largeObjectThreshold)
        {
            sizes.Add(size);
            var step = size < 256 ? Granule : Math.Max(Granule, (int)BitOperations.RoundUpToPowerOf2((uint)size + 1) / 32);
            size += step;
        }

        // The last class holds everything below the threshold.
        if (sizes.Count == 0 || sizes[^1] < largeObjectThreshold - 1)
        {
            sizes.Add(AlignUp(largeObjectThreshold - 1, Granule));
        }

        _slotSizes = [.. sizes];
        _classOfGranules = new int[(largeObjectThreshold / Granule) + 2];
        var c = 0;
        for (var g = 0; g < _classOfGranules.Length; g++)
        {
            while (c < _slotSizes.Length - 1 && _slotSizes[c] < g * Granule)
            {
                c++;
            }

            _classOfGranules[g] = c;
        }
    }

    public int Count => _slotSizes.Length;

    public int SlotSize(int sizeClass) => _slotSizes[sizeClass];

    /// <summary>The smallest class whose slot holds <paramref name="length"/> bytes (length ≥ 1).</summary>
    public int ClassOf(int length) => _classOfGranules[(length + Granule - 1) / Granule];

    private static int AlignUp(int value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
