using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Tests;

public class HttpDateTests
{
    private static readonly DateTimeOffset Expected = new(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // RFC 9110 §5.6.7: recipients MUST accept IMF-fixdate, RFC 850 and asctime.
    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")]
    [InlineData("Sun Nov  6 08:49:37 1994")]
    [InlineData("Sun Nov 06 08:49:37 1994")]
    [InlineData("  Sun, 06 Nov 1994 08:49:37 GMT  ")]
    [InlineData("sun, 06 nov 1994 08:49:37 GMT")]
    [InlineData("Sun, 6 Nov 1994 08:49:37 GMT")]
    public void TryParse_ThreeFormats_Rfc9110Sec5_6_7(string value)
    {
        Assert.True(HttpDate.TryParse(value, Now, out var parsed));
        Assert.Equal(Expected, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("Sun, 06 Nov 1994 08:49:37")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 UTC")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 +0000")]
    [InlineData("Sun, 31 Feb 1994 08:49:37 GMT")]
    [InlineData("Sun, 06 Foo 1994 08:49:37 GMT")]
    [InlineData("Xyz, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Sun, 06 Nov 1994 24:00:00 GMT")]
    [InlineData("Sun, 06 Nov 94 08:49:37 GMT")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT junk")]
    [InlineData("Sun Nov  6 08:49:37 1994 GMT")]
    [InlineData("2026-01-01T00:00:00Z")]
    public void TryParse_Invalid_False_Rfc9110Sec5_6_7(string value)
    {
        Assert.False(HttpDate.TryParse(value, Now, out _));
    }

    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century.
    [Theory]
    [InlineData("Thursday, 01-Jan-70 00:00:00 GMT", 2070)]
    [InlineData("Monday, 01-Jan-80 00:00:00 GMT", 1980)]
    [InlineData("Thursday, 01-Jan-26 00:00:00 GMT", 2026)]
    [InlineData("Monday, 01-Jan-99 00:00:00 GMT", 1999)]
    public void TryParse_Rfc850TwoDigitYear_FiftyYearRule_Rfc9110Sec5_6_7(string value, int year)
    {
        Assert.True(HttpDate.TryParse(value, Now, out var parsed));
        Assert.Equal(year, parsed.Year);
    }

    [Fact]
    public void TryParse_LeapSecond_Clamped_Rfc9110Sec5_6_7()
    {
        Assert.True(HttpDate.TryParse("Wed, 31 Dec 2008 23:59:60 GMT", Now, out var parsed));
        Assert.Equal(59, parsed.Second);
    }

    // RFC 9110 §5.5: a singleton field with different repeated values is invalid.
    [Fact]
    public void TryParse_RepeatedLines_SameOkDifferentInvalid_Rfc9110Sec5_5()
    {
        var same = new StringValues(["Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT"]);
        var different = new StringValues(["Sun, 06 Nov 1994 08:49:37 GMT", "Mon, 07 Nov 1994 08:49:37 GMT"]);
        Assert.True(HttpDate.TryParse(same, Now, out _));
        Assert.False(HttpDate.TryParse(different, Now, out _));
    }

    [Fact]
    public void Format_ImfFixdate_RoundTrips_Rfc9110Sec5_6_7()
    {
        var text = HttpDate.Format(Expected);
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", text);
        Assert.True(HttpDate.TryParse(text, Now, out var parsed));
        Assert.Equal(Expected, parsed);
    }
}
