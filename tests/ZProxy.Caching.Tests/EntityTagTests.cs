using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Tests;

public class EntityTagTests
{
    // RFC 9110 §8.8.3.2: the comparison table.
    [Theory]
    [InlineData("W/\"1\"", "W/\"1\"", false, true)]
    [InlineData("W/\"1\"", "W/\"2\"", false, false)]
    [InlineData("W/\"1\"", "\"1\"", false, true)]
    [InlineData("\"1\"", "\"1\"", true, true)]
    [InlineData("\"1\"", "\"2\"", false, false)]
    [InlineData("1", "1", false, false)]
    public void Compare_Rfc9110Table_Rfc9110Sec8_8_3_2(string a, string b, bool strong, bool weak)
    {
        Assert.Equal(strong, EntityTag.StrongEquals(a, b));
        Assert.Equal(weak, EntityTag.WeakEquals(a, b));
    }

    // RFC 9110 §13.1.2: lists, "*", and commas inside tags.
    [Theory]
    [InlineData("\"a\", \"b\"", "\"b\"", true)]
    [InlineData("\"a\",W/\"b\"", "\"b\"", true)]
    [InlineData("\"a\"", "W/\"a\"", true)]
    [InlineData("\"x,y\"", "\"x,y\"", true)]
    [InlineData("\"x\", \"y\"", "\"x,y\"", false)]
    [InlineData("*", "\"anything\"", true)]
    [InlineData("*", null, true)]
    [InlineData("\"a\"", null, false)]
    [InlineData("\"a\\\"", "\"a\\\"", true)]
    public void AnyWeakMatch_Lists_Rfc9110Sec13_1_2(string list, string? current, bool expected)
    {
        Assert.Equal(expected, EntityTag.AnyWeakMatch(new StringValues(list), current));
    }
}
