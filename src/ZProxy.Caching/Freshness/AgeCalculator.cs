using System.Globalization;
using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Freshness;

/// <summary>Age calculation exactly as RFC 9111 §4.2.3 defines it, and the Age field (§5.1).</summary>
public static class AgeCalculator
{
    /// <summary>
    /// Parses Age (RFC 9111 §5.1): a list-based value uses its first member; an invalid value (not a
    /// non-negative integer) is ignored, i.e. returns false and the field counts as absent. Values too
    /// large to represent are clamped to 2^31-1 (RFC 9111 §1.2.2).
    /// </summary>
    public static bool TryParseAge(StringValues age, out int seconds)
    {
        seconds = 0;
        var reader = new HeaderListReader(age);
        return reader.MoveNext() && HttpText.TryParseDeltaSeconds(reader.Current, out seconds);
    }

    /// <summary>
    /// corrected_initial_age (RFC 9111 §4.2.3), computed once when the response is received:
    /// <code>
    /// apparent_age = max(0, response_time - date_value)
    /// response_delay = response_time - request_time
    /// corrected_age_value = age_value + response_delay
    /// corrected_initial_age = max(apparent_age, corrected_age_value)
    /// </code>
    /// A missing Date gives apparent_age 0 (the cache would have added Date = response_time, RFC
    /// 9110 §6.6.1); a Date in the future (clock skew) is clamped by the max(0, ...). A negative
    /// response_delay (clock stepped back) is taken as 0.
    /// </summary>
    public static TimeSpan CorrectedInitialAge(DateTimeOffset requestTime, DateTimeOffset responseTime, DateTimeOffset? dateValue, int? ageValue)
    {
        var apparentAge = dateValue is { } date && responseTime > date ? responseTime - date : TimeSpan.Zero;
        var responseDelay = responseTime > requestTime ? responseTime - requestTime : TimeSpan.Zero;
        var correctedAgeValue = TimeSpan.FromSeconds(ageValue ?? 0) + responseDelay;
        return apparentAge > correctedAgeValue ? apparentAge : correctedAgeValue;
    }

    /// <summary>Reads Date and Age from <paramref name="responseHeaders"/> and applies <see cref="CorrectedInitialAge(DateTimeOffset, DateTimeOffset, DateTimeOffset?, int?)"/>.</summary>
    public static TimeSpan CorrectedInitialAge(DateTimeOffset requestTime, DateTimeOffset responseTime, IDictionary<string, StringValues> responseHeaders)
    {
        DateTimeOffset? date = responseHeaders.TryGetValue(CacheHeaderNames.Date, out var d) && HttpDate.TryParse(d, responseTime, out var parsed) ? parsed : null;
        int? age = responseHeaders.TryGetValue(CacheHeaderNames.Age, out var a) && TryParseAge(a, out var seconds) ? seconds : null;
        return CorrectedInitialAge(requestTime, responseTime, date, age);
    }

    /// <summary>
    /// current_age = corrected_initial_age + resident_time, resident_time = now - response_time
    /// (RFC 9111 §4.2.3). A clock that went backwards gives resident time 0, never a negative age.
    /// </summary>
    public static TimeSpan CurrentAge(TimeSpan correctedInitialAge, DateTimeOffset responseTime, DateTimeOffset now)
    {
        var resident = now > responseTime ? now - responseTime : TimeSpan.Zero;
        return correctedInitialAge + resident;
    }

    /// <summary>
    /// The Age field value for a response sent from cache (RFC 9111 §5.1): whole seconds, rounded
    /// down; "2147483648" when the age does not fit, as §5.1 requires.
    /// </summary>
    public static string FormatAge(TimeSpan age)
    {
        if (age <= TimeSpan.Zero)
        {
            return "0";
        }

        var seconds = (long)age.TotalSeconds;
        return seconds > int.MaxValue ? "2147483648" : seconds.ToString(CultureInfo.InvariantCulture);
    }
}
