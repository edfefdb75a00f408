namespace ZProxy.Caching.Headers;

/// <summary>
/// A strict RFC 8941 Dictionary parser (§4.2.2) feeding cache directives, for the targeted
/// cache-control fields of RFC 9213. Any syntax error fails the whole field: RFC 9213 §2.1 says such
/// a field MUST be ignored, falling back to the other cache-control mechanisms.
/// </summary>
internal static class StructuredFieldParser
{
    /// <summary>Parses <paramref name="field"/> as a dictionary into <paramref name="builder"/>; false on any syntax error or when empty.</summary>
    public static bool TryParseDictionary(ReadOnlySpan<char> field, ref DirectiveBuilder builder)
    {
        // RFC 8941 §4.2: discard leading and trailing SP.
        var s = field.Trim(' ');
        if (s.IsEmpty)
        {
            return false;
        }

        var i = 0;
        while (i < s.Length)
        {
            if (!TryParseKey(s, ref i, out var key))
            {
                return false;
            }

            if (i < s.Length && s[i] == '=')
            {
                i++;
                if (!TryParseItemOrInnerList(s, ref i, out var item))
                {
                    return false;
                }

                builder.ApplyStructured(key, item);
            }
            else
            {
                if (!TrySkipParameters(s, ref i))
                {
                    return false;
                }

                builder.ApplyStructured(key, new StructuredItem(StructuredItemKind.Boolean, 0, true, default));
            }

            while (i < s.Length && HttpText.IsOws(s[i]))
            {
                i++;
            }

            if (i >= s.Length)
            {
                return true;
            }

            if (s[i] != ',')
            {
                return false;
            }

            i++;
            while (i < s.Length && HttpText.IsOws(s[i]))
            {
                i++;
            }

            if (i >= s.Length)
            {
                // A trailing comma is a parse error (RFC 8941 §4.2.2).
                return false;
            }
        }

        return true;
    }

    private static bool TryParseKey(ReadOnlySpan<char> s, ref int i, out ReadOnlySpan<char> key)
    {
        // key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )
        key = default;
        if (i >= s.Length || !(char.IsAsciiLetterLower(s[i]) || s[i] == '*'))
        {
            return false;
        }

        var start = i;
        while (i < s.Length && (char.IsAsciiLetterLower(s[i]) || char.IsAsciiDigit(s[i]) || s[i] is '_' or '-' or '.' or '*'))
        {
            i++;
        }

        key = s[start..i];
        return true;
    }

    private static bool TryParseItemOrInnerList(ReadOnlySpan<char> s, ref int i, out StructuredItem item)
    {
        if (i < s.Length && s[i] == '(')
        {
            var start = i;
            i++;
            while (true)
            {
                while (i < s.Length && s[i] == ' ')
                {
                    i++;
                }

                if (i >= s.Length)
                {
                    item = default;
                    return false;
                }

                if (s[i] == ')')
                {
                    i++;
                    item = new StructuredItem(StructuredItemKind.InnerList, 0, false, s[start..i]);
                    return TrySkipParameters(s, ref i);
                }

                if (!TryParseBareItem(s, ref i, out _) || !TrySkipParameters(s, ref i))
                {
                    item = default;
                    return false;
                }

                if (i >= s.Length || (s[i] != ' ' && s[i] != ')'))
                {
                    item = default;
                    return false;
                }
            }
        }

        return TryParseBareItem(s, ref i, out item) && TrySkipParameters(s, ref i);
    }

    private static bool TrySkipParameters(ReadOnlySpan<char> s, ref int i)
    {
        while (i < s.Length && s[i] == ';')
        {
            i++;
            while (i < s.Length && s[i] == ' ')
            {
                i++;
            }

            if (!TryParseKey(s, ref i, out _))
            {
                return false;
            }

            if (i < s.Length && s[i] == '=')
            {
                i++;
                if (!TryParseBareItem(s, ref i, out _))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool TryParseBareItem(ReadOnlySpan<char> s, ref int i, out StructuredItem item)
    {
        item = default;
        if (i >= s.Length)
        {
            return false;
        }

        var c = s[i];
        if (c == '-' || char.IsAsciiDigit(c))
        {
            return TryParseNumber(s, ref i, out item);
        }

        if (c == '"')
        {
            var start = ++i;
            while (i < s.Length)
            {
                var ch = s[i];
                if (ch == '\\')
                {
                    if (i + 1 >= s.Length || (s[i + 1] != '"' && s[i + 1] != '\\'))
                    {
                        return false;
                    }

                    i += 2;
                    continue;
                }

                if (ch == '"')
                {
                    item = new StructuredItem(StructuredItemKind.String, 0, false, s[start..i]);
                    i++;
                    return true;
                }

                if (ch < 0x20 || ch > 0x7E)
                {
                    return false;
                }

                i++;
            }

            return false;
        }

        if (char.IsAsciiLetter(c) || c == '*')
        {
            var start = i;
            while (i < s.Length && (HttpText.IsTokenChar(s[i]) || s[i] is ':' or '/'))
            {
                i++;
            }

            item = new StructuredItem(StructuredItemKind.Token, 0, false, s[start..i]);
            return true;
        }

        if (c == ':')
        {
            var start = ++i;
            while (i < s.Length && s[i] != ':')
            {
                if (!(char.IsAsciiLetterOrDigit(s[i]) || s[i] is '+' or '/' or '='))
                {
                    return false;
                }

                i++;
            }

            if (i >= s.Length)
            {
                return false;
            }

            item = new StructuredItem(StructuredItemKind.ByteSequence, 0, false, s[start..i]);
            i++;
            return true;
        }

        if (c == '?')
        {
            if (i + 1 < s.Length && s[i + 1] is '0' or '1')
            {
                item = new StructuredItem(StructuredItemKind.Boolean, 0, s[i + 1] == '1', default);
                i += 2;
                return true;
            }

            return false;
        }

        return false;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> s, ref int i, out StructuredItem item)
    {
        // RFC 8941 §4.2.4: an Integer has at most 15 digits; a Decimal at most 12 before and 3 after the dot.
        item = default;
        var start = i;
        var negative = false;
        if (s[i] == '-')
        {
            negative = true;
            i++;
        }

        var digitsStart = i;
        long value = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            value = (value * 10) + (s[i] - '0');
            i++;
            if (i - digitsStart > 15)
            {
                return false;
            }
        }

        var intDigits = i - digitsStart;
        if (intDigits == 0)
        {
            return false;
        }

        if (i < s.Length && s[i] == '.')
        {
            if (intDigits > 12)
            {
                return false;
            }

            i++;
            var fracStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            var fracDigits = i - fracStart;
            if (fracDigits is < 1 or > 3)
            {
                return false;
            }

            item = new StructuredItem(StructuredItemKind.Decimal, 0, false, s[start..i]);
            return true;
        }

        item = new StructuredItem(StructuredItemKind.Integer, negative ? -value : value, false, s[start..i]);
        return true;
    }
}
