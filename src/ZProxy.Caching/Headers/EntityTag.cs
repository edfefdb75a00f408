using Microsoft.Extensions.Primitives;

namespace ZProxy.Caching.Headers;

/// <summary>Entity-tag parsing and comparison (RFC 9110 §8.8.3).</summary>
public static class EntityTag
{
    /// <summary>
    /// Splits <c>[W/]"opaque"</c> into its weakness and opaque part (quotes excluded). Fails on
    /// anything else, including unquoted tags from broken origins: those then never match, which
    /// errs on the side of sending a full response.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> value, out bool weak, out ReadOnlySpan<char> opaque)
    {
        weak = false;
        opaque = default;
        var s = HttpText.TrimOws(value);
        if (s.StartsWith("W/", StringComparison.Ordinal))
        {
            weak = true;
            s = s[2..];
        }

        if (s.Length < 2 || s[0] != '"' || s[^1] != '"')
        {
            return false;
        }

        opaque = s[1..^1];
        foreach (var c in opaque)
        {
            // etagc = %x21 / %x23-7E / obs-text
            if (c == '"' || c < 0x21 || c == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Strong comparison (RFC 9110 §8.8.3.2): both strong and the opaque parts equal.</summary>
    public static bool StrongEquals(ReadOnlySpan<char> a, ReadOnlySpan<char> b) =>
        TryParse(a, out var weakA, out var opaqueA) && TryParse(b, out var weakB, out var opaqueB)
        && !weakA && !weakB && opaqueA.SequenceEqual(opaqueB);

    /// <summary>Weak comparison (RFC 9110 §8.8.3.2): the opaque parts equal, weakness ignored.</summary>
    public static bool WeakEquals(ReadOnlySpan<char> a, ReadOnlySpan<char> b) =>
        TryParse(a, out _, out var opaqueA) && TryParse(b, out _, out var opaqueB) && opaqueA.SequenceEqual(opaqueB);

    /// <summary>True when <paramref name="value"/> is a strong entity-tag.</summary>
    public static bool IsStrong(ReadOnlySpan<char> value) => TryParse(value, out var weak, out _) && !weak;

    /// <summary>
    /// Evaluates an If-None-Match list against the current tag (RFC 9110 §13.1.2): true when <c>*</c>
    /// is present (a current representation exists) or any listed tag weakly matches.
    /// </summary>
    public static bool AnyWeakMatch(StringValues list, string? current)
    {
        var reader = new HeaderListReader(list, backslashEscapes: false);
        while (reader.MoveNext())
        {
            var member = reader.Current;
            if (member.Length == 1 && member[0] == '*')
            {
                return true;
            }

            if (current is not null && WeakEquals(member, current))
            {
                return true;
            }
        }

        return false;
    }
}
