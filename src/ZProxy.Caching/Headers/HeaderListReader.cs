using Microsoft.Extensions.Primitives;

namespace ZProxy.Caching.Headers;

/// <summary>
/// Walks the members of a comma-separated list field (RFC 9110 §5.6.1) across all of its field
/// lines without allocating: field lines are combined as if joined by commas (RFC 9110 §5.3), empty
/// members are skipped ("a recipient MUST accept and ignore empty list elements") and optional
/// whitespace around members is trimmed. Commas inside quoted strings do not split members.
/// </summary>
internal ref struct HeaderListReader
{
    private readonly StringValues _values;
    private readonly bool _backslashEscapes;
    private int _index;
    private ReadOnlySpan<char> _rest;

    /// <param name="values">All field lines of the field.</param>
    /// <param name="backslashEscapes">
    /// True for quoted-string syntax (RFC 9110 §5.6.4), where a backslash escapes the next character.
    /// False for entity-tags (RFC 9110 §8.8.3), whose opaque part may contain a bare backslash.
    /// </param>
    public HeaderListReader(StringValues values, bool backslashEscapes = true)
    {
        _values = values;
        _backslashEscapes = backslashEscapes;
        _index = 0;
        _rest = default;
        Current = default;
    }

    /// <summary>The current member, trimmed of optional whitespace; never empty after a true <see cref="MoveNext"/>.</summary>
    public ReadOnlySpan<char> Current { get; private set; }

    public bool MoveNext()
    {
        while (true)
        {
            if (_rest.IsEmpty)
            {
                if (_index >= _values.Count)
                {
                    return false;
                }

                _rest = (_values[_index++] ?? string.Empty).AsSpan();
                continue;
            }

            var end = FindSeparator(_rest, _backslashEscapes);
            ReadOnlySpan<char> member;
            if (end < 0)
            {
                member = _rest;
                _rest = default;
            }
            else
            {
                member = _rest[..end];
                _rest = _rest[(end + 1)..];
            }

            member = HttpText.TrimOws(member);
            if (!member.IsEmpty)
            {
                Current = member;
                return true;
            }
        }
    }

    /// <summary>Index of the first comma that is not inside a quoted string, or -1.</summary>
    internal static int FindSeparator(ReadOnlySpan<char> text, bool backslashEscapes)
    {
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '\\' && backslashEscapes)
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                return i;
            }
        }

        return -1;
    }
}
