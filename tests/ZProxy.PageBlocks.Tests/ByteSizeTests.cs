using System.ComponentModel;
using Xunit;

namespace ZProxy.PageBlocks.Tests;

public class ByteSizeTests
{
    [Theory]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("512 MiB", 512L << 20)]
    [InlineData("64KiB", 64L << 10)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("1GB", 1_000_000_000L)]
    [InlineData("10kb", 10_000L)]
    [InlineData("16M", 16L << 20)]
    [InlineData("1048576", 1_048_576L)]
    [InlineData("100B", 100L)]
    public void Parse_ValidText_Bytes(string text, long expected)
    {
        Assert.Equal(expected, ByteSize.Parse(text).Bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MiB")]
    [InlineData("12 parsecs")]
    [InlineData("-5MiB")]
    [InlineData("0.5B")]
    public void TryParse_InvalidText_False(string text)
    {
        Assert.False(ByteSize.TryParse(text, out _));
        Assert.Throws<FormatException>(() => ByteSize.Parse(text));
    }

    [Theory]
    [InlineData(512L << 20, "512MiB")]
    [InlineData(1536L << 10, "1536KiB")]
    [InlineData(100L, "100B")]
    public void ToString_Size_LargestExactBinaryUnit(long bytes, string expected)
    {
        Assert.Equal(expected, new ByteSize(bytes).ToString());
    }

    [Fact]
    public void TypeConverter_String_BindsLikeConfiguration()
    {
        var converter = TypeDescriptor.GetConverter(typeof(ByteSize));

        Assert.Equal(new ByteSize(256L << 20), converter.ConvertFromInvariantString("256MiB"));
    }
}
