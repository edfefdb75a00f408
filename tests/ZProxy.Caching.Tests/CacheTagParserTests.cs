using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Tags;

namespace ZProxy.Caching.Tests;

public class CacheTagParserTests
{
    [Theory]
    [InlineData("a b c", "a|b|c")]
    [InlineData("a,b, c", "a|b|c")]
    [InlineData("  a \t b  ", "a|b")]
    [InlineData("a a A", "a|A")]
    [InlineData("", "")]
    [InlineData(" , ", "")]
    [InlineData("product-1 category/shoes", "product-1|category/shoes")]
    public void Parse_SpaceOrCommaSeparated(string value, string expected)
    {
        Assert.Equal(expected, string.Join("|", CacheTagParser.Parse(value)));
    }

    [Fact]
    public void Parse_MultipleLines_Combined()
    {
        Assert.Equal("a|b|c", string.Join("|", CacheTagParser.Parse(new StringValues(["a b", "b c"]))));
    }

    [Theory]
    [InlineData("Surrogate-Key", "Surrogate-Key: x y\nCache-Tag: z", "x|y")]
    [InlineData("Cache-Tag", "Surrogate-Key: x y\nCache-Tag: z", "z")]
    [InlineData(null, "Surrogate-Key: x y", "")]
    [InlineData("", "Surrogate-Key: x y", "")]
    public void FromResponse_ConfiguredHeader(string? header, string response, string expected)
    {
        var options = new CachePolicyOptions { TagHeaderName = header };
        Assert.Equal(expected, string.Join("|", CacheTagParser.FromResponse(TestHeaders.Of(response), options)));
    }
}
