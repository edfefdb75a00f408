using Xunit;

namespace ZProxy.PageBlocks.Tests;

public class PageBlockStoreOptionsTests
{
    [Fact]
    public void Validate_Defaults_Valid()
    {
        var options = new PageBlockStoreOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(512L << 20, options.MemoryLimit.Bytes);
        Assert.Equal(16, options.PageblockPages);
        Assert.Equal(4096, options.LargeObjectThreshold);
    }

    [Theory]
    [InlineData(0, 4096, 1L << 20, "PageblockPages")]
    [InlineData(65, 4096, 1L << 20, "PageblockPages")]
    [InlineData(16, 8, 1L << 20, "LargeObjectThreshold")]
    [InlineData(16, 1 << 20, 1L << 20, "LargeObjectThreshold")]
    [InlineData(16, 4096, 1000, "MemoryLimit")]
    public void Validate_OutOfRange_NamesTheOption(int pages, int threshold, long limit, string option)
    {
        var options = new PageBlockStoreOptions { PageblockPages = pages, LargeObjectThreshold = threshold, MemoryLimit = new ByteSize(limit) };

        Assert.Contains(options.Validate(), e => e.StartsWith(option, StringComparison.Ordinal));
        var thrown = Assert.Throws<ArgumentException>(() => new PageBlockStore(options));
        Assert.Contains(option, thrown.Message);
    }

    [Fact]
    public void Validate_WarmReserveBelowOnePageblock_NamesTheOption()
    {
        var options = new PageBlockStoreOptions { WarmReserve = new ByteSize(1000) };

        Assert.Contains(options.Validate(), e => e.StartsWith("WarmReserve", StringComparison.Ordinal));
        Assert.Empty(new PageBlockStoreOptions { WarmReserve = new ByteSize(0) }.Validate());
        Assert.Equal(16L << 20, new PageBlockStoreOptions().WarmReserve.Bytes);
    }

    [Theory]
    [InlineData(-1, 20, "WorkerQuietPeriod")]
    [InlineData(101, 20, "WorkerQuietPeriod")]
    [InlineData(1, -1, "WorkerMaxDelay")]
    [InlineData(1, 1001, "WorkerMaxDelay")]
    public void Validate_WorkerTimingOutOfRange_NamesTheOption(int quietMs, int maxDelayMs, string option)
    {
        var options = new PageBlockStoreOptions { WorkerQuietPeriod = TimeSpan.FromMilliseconds(quietMs), WorkerMaxDelay = TimeSpan.FromMilliseconds(maxDelayMs) };

        Assert.Contains(options.Validate(), e => e.StartsWith(option, StringComparison.Ordinal));
        Assert.Empty(new PageBlockStoreOptions { WorkerQuietPeriod = TimeSpan.Zero, WorkerMaxDelay = TimeSpan.Zero }.Validate());
        Assert.Equal(TimeSpan.FromMilliseconds(1), new PageBlockStoreOptions().WorkerQuietPeriod);
        Assert.Equal(TimeSpan.FromMilliseconds(20), new PageBlockStoreOptions().WorkerMaxDelay);
    }

    [Fact]
    public void Constructor_MaxObjectSizeAboveLimit_ClampedToLimit()
    {
        using var store = new PageBlockStore(new PageBlockStoreOptions { MemoryLimit = new ByteSize(1 << 20), MaxObjectSize = new ByteSize(1L << 30) });

        Assert.Equal(1 << 20, store.MaxObjectSize);
    }
}
