using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Freshness;

namespace ZProxy.Caching.Tests;

public class AgeCalculatorTests
{
    // RFC 9111 §5.1: first member of a list; invalid => ignored; overflow => 2^31-1.
    [Theory]
    [InlineData("60", true, 60)]
    [InlineData(" 60 ", true, 60)]
    [InlineData("60, 120", true, 60)]
    [InlineData("0", true, 0)]
    [InlineData("-5", false, 0)]
    [InlineData("abc", false, 0)]
    [InlineData("1.5", false, 0)]
    [InlineData("", false, 0)]
    [InlineData("99999999999999", true, int.MaxValue)]
    public void TryParseAge_Rfc9111Sec5_1(string value, bool ok, int seconds)
    {
        Assert.Equal(ok, AgeCalculator.TryParseAge(new StringValues(value), out var parsed));
        Assert.Equal(seconds, parsed);
    }

    // RFC 9111 §4.2.3: corrected_initial_age = max(apparent_age, age_value + response_delay).
    [Theory]
    // requestTime, responseTime, date, age, expected
    [InlineData(0, 2, 0.0, null, 2)]          // delay 2, apparent 2
    [InlineData(0, 2, -10.0, null, 12)]       // apparent age 12 > delay 2
    [InlineData(0, 2, 0.0, 100, 102)]         // Age + delay
    [InlineData(0, 2, -500.0, 100, 502)]      // apparent wins
    [InlineData(0, 2, 60.0, null, 2)]         // Date in the future (clock skew): apparent clamps to 0
    [InlineData(0, 2, null, null, 2)]         // Date missing: apparent 0
    [InlineData(5, 2, null, 10, 10)]          // response before request (clock stepped): delay 0
    public void CorrectedInitialAge_Rfc9111Sec4_2_3(double request, double response, double? date, int? age, double expected)
    {
        var result = AgeCalculator.CorrectedInitialAge(
            Times.T0.AddSeconds(request),
            Times.T0.AddSeconds(response),
            date is null ? null : Times.T0.AddSeconds(date.Value),
            age);
        Assert.Equal(TimeSpan.FromSeconds(expected), result);
    }

    [Fact]
    public void CorrectedInitialAge_FromHeaders_InvalidAgeIgnored_Rfc9111Sec5_1()
    {
        var headers = TestHeaders.Of($"Date: {Times.At(-3)}\nAge: bogus");
        Assert.Equal(TimeSpan.FromSeconds(4), AgeCalculator.CorrectedInitialAge(Times.T0, Times.T0.AddSeconds(1), headers));
    }

    // RFC 9111 §4.2.3: current_age = corrected_initial_age + resident_time; never negative.
    [Theory]
    [InlineData(10, 100, 110)]
    [InlineData(10, 0, 10)]
    [InlineData(10, -50, 10)]
    public void CurrentAge_AddsResidentTime_Rfc9111Sec4_2_3(int corrected, int resident, int expected)
    {
        Assert.Equal(TimeSpan.FromSeconds(expected), AgeCalculator.CurrentAge(TimeSpan.FromSeconds(corrected), Times.T0, Times.T0.AddSeconds(resident)));
    }

    // RFC 9111 §5.1: whole seconds; "2147483648" on overflow.
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-3.0, "0")]
    [InlineData(59.9, "59")]
    [InlineData(3600.0, "3600")]
    [InlineData(3e9, "2147483648")]
    public void FormatAge_Rfc9111Sec5_1(double seconds, string expected)
    {
        Assert.Equal(expected, AgeCalculator.FormatAge(TimeSpan.FromSeconds(seconds)));
    }
}
