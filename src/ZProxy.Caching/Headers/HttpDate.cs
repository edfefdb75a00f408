using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace ZProxy.Caching.Headers;

/// <summary>
/// HTTP-date (RFC 9110 §5.6.7): parses IMF-fixdate and the obsolete RFC 850 and asctime formats,
/// as recipients are required to ("A recipient that parses a timestamp value in an HTTP field MUST
/// accept all three HTTP-date formats"), and formats IMF-fixdate. Allocation-free parsing.
/// </summary>
public static class HttpDate
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] ShortDays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    private static readonly string[] LongDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    /// <summary>Formats IMF-fixdate, e.g. <c>Sun, 06 Nov 1994 08:49:37 GMT</c> (RFC 9110 §5.6.7).</summary>
    public static string Format(DateTimeOffset value) => value.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses one HTTP-date. Two-digit RFC 850 years are resolved against <paramref name="now"/>:
    /// a year that "appears to be more than 50 years in the future" is the most recent past year with
    /// the same last two digits (RFC 9110 §5.6.7).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> value, DateTimeOffset now, out DateTimeOffset result)
    {
        result = default;
        var s = HttpText.TrimOws(value);
        var comma = s.IndexOf(',');
        if (comma == 3)
        {
            return IsDayName(s[..3], ShortDays) && TryParseImfFixdate(s[4..], out result);
        }

        if (comma > 3)
        {
            return IsDayName(s[..comma], LongDays) && TryParseRfc850(s[(comma + 1)..], now, out result);
        }

        return comma < 0 && TryParseAsctime(s, out result);
    }

    /// <summary>Parses one HTTP-date, resolving two-digit years against the current UTC clock.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out DateTimeOffset result) => TryParse(value, DateTimeOffset.UtcNow, out result);

    /// <summary>
    /// Parses a singleton date field (Date, Last-Modified, Expires, If-Modified-Since) that may have
    /// arrived as several field lines. Identical repeated lines are accepted; different ones make the
    /// field invalid (RFC 9110 §5.5; RFC 9111 §4.2.1 allows treating such a response as stale).
    /// </summary>
    public static bool TryParse(StringValues values, DateTimeOffset now, out DateTimeOffset result)
    {
        result = default;
        if (values.Count == 0)
        {
            return false;
        }

        var first = values[0];
        for (var i = 1; i < values.Count; i++)
        {
            if (!string.Equals(values[i], first, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return TryParse(first.AsSpan(), now, out result);
    }

    private static bool TryParseImfFixdate(ReadOnlySpan<char> s, out DateTimeOffset result)
    {
        // SP date1 SP time-of-day SP GMT ; date1 = day SP month SP year. One-digit days are tolerated.
        result = default;
        var i = 0;
        return SkipSpaces(s, ref i)
            && TryParseNumber(s, ref i, 1, 2, out var day)
            && SkipSpaces(s, ref i)
            && TryParseMonth(s, ref i, out var month)
            && SkipSpaces(s, ref i)
            && TryParseNumber(s, ref i, 4, 4, out var year)
            && SkipSpaces(s, ref i)
            && TryParseTime(s, ref i, out var hour, out var minute, out var second)
            && SkipSpaces(s, ref i)
            && IsGmt(s[i..])
            && TryCreate(year, month, day, hour, minute, second, out result);
    }

    private static bool TryParseRfc850(ReadOnlySpan<char> s, DateTimeOffset now, out DateTimeOffset result)
    {
        // SP date2 SP time-of-day SP GMT ; date2 = day "-" month "-" 2DIGIT
        result = default;
        var i = 0;
        if (!(SkipSpaces(s, ref i)
            && TryParseNumber(s, ref i, 1, 2, out var day)
            && Expect(s, ref i, '-')
            && TryParseMonth(s, ref i, out var month)
            && Expect(s, ref i, '-')))
        {
            return false;
        }

        var yearStart = i;
        if (!TryParseNumber(s, ref i, 2, 4, out var year))
        {
            return false;
        }

        if (i - yearStart == 2)
        {
            var nowYear = now.UtcDateTime.Year;
            year += nowYear - (nowYear % 100);
            if (year > nowYear + 50)
            {
                year -= 100;
            }
        }

        return SkipSpaces(s, ref i)
            && TryParseTime(s, ref i, out var hour, out var minute, out var second)
            && SkipSpaces(s, ref i)
            && IsGmt(s[i..])
            && TryCreate(year, month, day, hour, minute, second, out result);
    }

    private static bool TryParseAsctime(ReadOnlySpan<char> s, out DateTimeOffset result)
    {
        // day-name SP date3 SP time-of-day SP year ; date3 = month SP ( 2DIGIT / ( SP DIGIT ) )
        result = default;
        if (s.Length < 4 || !IsDayName(s[..3], ShortDays))
        {
            return false;
        }

        var i = 3;
        return SkipSpaces(s, ref i)
            && TryParseMonth(s, ref i, out var month)
            && SkipSpaces(s, ref i)
            && TryParseNumber(s, ref i, 1, 2, out var day)
            && SkipSpaces(s, ref i)
            && TryParseTime(s, ref i, out var hour, out var minute, out var second)
            && SkipSpaces(s, ref i)
            && TryParseNumber(s, ref i, 4, 4, out var year)
            && i == s.Length
            && TryCreate(year, month, day, hour, minute, second, out result);
    }

    private static bool TryParseTime(ReadOnlySpan<char> s, ref int i, out int hour, out int minute, out int second)
    {
        minute = 0;
        second = 0;
        return TryParseNumber(s, ref i, 2, 2, out hour)
            && Expect(s, ref i, ':')
            && TryParseNumber(s, ref i, 2, 2, out minute)
            && Expect(s, ref i, ':')
            && TryParseNumber(s, ref i, 2, 2, out second);
    }

    private static bool TryCreate(int year, int month, int day, int hour, int minute, int second, out DateTimeOffset result)
    {
        result = default;
        // RFC 9110 §5.6.7 allows second 60 (a leap second); DateTime cannot hold it, so it is clamped.
        if (second == 60)
        {
            second = 59;
        }

        if (year < 1 || hour > 23 || minute > 59 || second > 59 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        result = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    private static bool IsGmt(ReadOnlySpan<char> rest) => rest.Equals("GMT", StringComparison.Ordinal);

    private static bool IsDayName(ReadOnlySpan<char> s, string[] names)
    {
        foreach (var name in names)
        {
            if (s.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseMonth(ReadOnlySpan<char> s, ref int i, out int month)
    {
        month = 0;
        if (i + 3 > s.Length)
        {
            return false;
        }

        var candidate = s.Slice(i, 3);
        for (var m = 0; m < Months.Length; m++)
        {
            if (candidate.Equals(Months[m], StringComparison.OrdinalIgnoreCase))
            {
                month = m + 1;
                i += 3;
                return true;
            }
        }

        return false;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> s, ref int i, int minDigits, int maxDigits, out int value)
    {
        value = 0;
        var start = i;
        while (i < s.Length && i - start < maxDigits && char.IsAsciiDigit(s[i]))
        {
            value = (value * 10) + (s[i] - '0');
            i++;
        }

        var digits = i - start;
        return digits >= minDigits && (i >= s.Length || !char.IsAsciiDigit(s[i]));
    }

    private static bool SkipSpaces(ReadOnlySpan<char> s, ref int i)
    {
        var start = i;
        while (i < s.Length && s[i] == ' ')
        {
            i++;
        }

        return i > start;
    }

    private static bool Expect(ReadOnlySpan<char> s, ref int i, char c)
    {
        if (i < s.Length && s[i] == c)
        {
            i++;
            return true;
        }

        return false;
    }
}
