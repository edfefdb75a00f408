using System.Runtime.CompilerServices;

namespace ZProxy.Caching.Headers;

/// <summary>Small span helpers for the HTTP grammar (RFC 9110 §5.6).</summary>
internal static class HttpText
{
    /// <summary>The largest delta-seconds value a cache needs to represent (RFC 9111 §1.2.2: 2^31, or the greatest positive integer it can conveniently represent).</summary>
    public const int MaxDeltaSeconds = int.MaxValue;

    /// <summary>Trims OWS (SP / HTAB, RFC 9110 §5.6.3) from both ends.</summary>
    public static ReadOnlySpan<char> TrimOws(ReadOnlySpan<char> s)
    {
        var start = 0;
        while (start < s.Length && IsOws(s[start]))
        {
            start++;
        }

        var end = s.Length;
        while (end > start && IsOws(s[end - 1]))
        {
            end--;
        }

        return s[start..end];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsOws(char c) => c == ' ' || c == '\t';

    /// <summary>tchar (RFC 9110 §5.6.2).</summary>
    public static bool IsTokenChar(char c) =>
        c < 128 && (char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~');

    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Parses delta-seconds (RFC 9111 §1.2.2): 1*DIGIT, no sign, no whitespace. A value larger than
    /// the greatest representable integer is clamped to <see cref="MaxDeltaSeconds"/>, as the RFC
    /// requires, instead of failing.
    /// </summary>
    public static bool TryParseDeltaSeconds(ReadOnlySpan<char> s, out int seconds)
    {
        seconds = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        long value = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                seconds = 0;
                return false;
            }

            if (value <= MaxDeltaSeconds)
            {
                value = (value * 10) + (c - '0');
            }
        }

        seconds = value > MaxDeltaSeconds ? MaxDeltaSeconds : (int)value;
        return true;
    }

    /// <summary>
    /// Removes the quotes of a quoted-string (RFC 9110 §5.6.4) when <paramref name="s"/> is one.
    /// Backslash escapes are left in place: the callers only look for digits or field names, where
    /// an escape never belongs.
    /// </summary>
    public static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> s)
    {
        if (s.Length >= 2 && s[0] == '"' && s[^1] == '"')
        {
            return s[1..^1];
        }

        return s;
    }
}
