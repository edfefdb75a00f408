using Xunit;
using ZProxy.PageBlocks.Memory;

namespace ZProxy.PageBlocks.Tests;

public class SizeClassesTests
{
    [Theory]
    [InlineData(4096)]
    [InlineData(1024)]
    [InlineData(65_536)]
    public void ClassOf_EveryLength_SlotHoldsItWithRoundingUnderOneSixteenth(int threshold)
    {
        var classes = new SizeClasses(threshold);

        for (var length = 1; length < threshold; length++)
        {
            var slot = classes.SlotSize(classes.ClassOf(length));
            Assert.True(slot >= length, $"{length} does not fit {slot}");
            Assert.True(slot - length < Math.Max(16, length / 16.0), $"{length} wastes {slot - length} in {slot}");
        }
    }

    [Fact]
    public void Count_DefaultThreshold_AboutSixteenPerDoubling()
    {
        var classes = new SizeClasses(4096);

        // 16 classes of 16 bytes up to 256, then 16 per doubling up to 4096.
        Assert.InRange(classes.Count, 78, 82);
    }
}
