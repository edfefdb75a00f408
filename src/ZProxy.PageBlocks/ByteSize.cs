using System.ComponentModel;
using System.Globalization;

namespace ZProxy.PageBlocks;

/// <summary>
/// A size in bytes that binds from configuration strings such as <c>"512MiB"</c>, <c>"64 KiB"</c>,
/// <c>"1GB"</c> or a plain number of bytes.
/// </summary>
/// <remarks>
/// Binary suffixes (KiB, MiB, GiB, TiB) are powers of 1024; decimal ones (KB, MB, GB, TB) powers of 1000;
/// K, M, G, T alone are read as binary, as most people mean them for memory.
/// </remarks>
/// <param name="Bytes">The size in bytes.</param>
[TypeConverter(typeof(ByteSizeConverter))]
public readonly record struct ByteSize(long Bytes) : IComparable<ByteSize>
{
    /// <summary>Converts to the number of bytes.</summary>
    public static implicit operator long(ByteSize size) => size.Bytes;

    /// <summary>Converts from a number of bytes.</summary>
    public static implicit operator ByteSize(long bytes) => new(bytes);

    /// <summary>Parses <c>"512MiB"</c>-style text; throws <see cref="FormatException"/> when it is not a size.</summary>
    public static ByteSize Parse(string text)
        => TryParse(text, out var size) ? size : throw new FormatException($"'{text}' is not a size such as 512MiB, 64KiB or 1048576.");

    /// <summary>Parses <c>"512MiB"</c>-style text.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ByteSize size)
    {
        size = default;
        text = text.Trim();
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }

        if (end == 0 || !decimal.TryParse(text[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        long multiplier;
        switch (text[end..].Trim().ToString().ToUpperInvariant())
        {
            case "" or "B":
                multiplier = 1;
                break;
            case "K" or "KIB":
                multiplier = 1L << 10;
                break;
            case "M" or "MIB":
                multiplier = 1L << 20;
                break;
            case "G" or "GIB":
                multiplier = 1L << 30;
                break;
            case "T" or "TIB":
                multiplier = 1L << 40;
                break;
            case "KB":
                multiplier = 1_000;
                break;
            case "MB":
                multiplier = 1_000_000;
                break;
            case "GB":
                multiplier = 1_000_000_000;
                break;
            case "TB":
                multiplier = 1_000_000_000_000;
                break;
            default:
                return false;
        }

        var bytes = number * multiplier;
        if (bytes > long.MaxValue || bytes != decimal.Truncate(bytes))
        {
            return false;
        }

        size = new ByteSize((long)bytes);
        return true;
    }

    /// <inheritdoc/>
    public int CompareTo(ByteSize other) => Bytes.CompareTo(other.Bytes);

    /// <summary>The largest exact binary unit: <c>512MiB</c>, <c>1536KiB</c>, <c>100B</c>.</summary>
    public override string ToString()
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var value = Bytes;
        var unit = 0;
        while (unit < units.Length - 1 && value != 0 && value % 1024 == 0)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(CultureInfo.InvariantCulture) + units[unit];
    }
}
