using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Keys;

/// <summary>
/// The secondary cache key (RFC 9111 §4.1): the normalised values of the request fields a stored
/// response's Vary nominates. Two requests match when their secondary keys are equal.
/// </summary>
public static class VaryKey
{
    /// <summary>Marks a field absent from the request: it "can only match another request if it is also absent there" (RFC 9111 §4.1).</summary>
    private const char Absent = '\u0000';

    /// <summary>
    /// Computes the secondary key of a request under <paramref name="spec"/>; null for
    /// <c>Vary: *</c> (no key can ever match); the empty string when nothing is nominated.
    /// </summary>
    public static string? Compute(VarySpec spec, IDictionary<string, StringValues> requestHeaders)
    {
        if (spec.IsStar)
        {
            return null;
        }

        if (spec.FieldNames.Count == 0)
        {
            return string.Empty;
        }

        var buffer = new CharBuffer(stackalloc char[256]);
        try
        {
            Write(ref buffer, spec, requestHeaders);
            return buffer.AsSpan().ToString();
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>
    /// True when a request matches a stored response's variant (RFC 9111 §4.1); always false for
    /// <c>Vary: *</c>. Allocation-free: the request's key is built in stack memory and compared.
    /// </summary>
    public static bool Matches(VarySpec spec, string? storedSecondaryKey, IDictionary<string, StringValues> requestHeaders)
    {
        if (spec.IsStar || storedSecondaryKey is null)
        {
            return false;
        }

        if (spec.FieldNames.Count == 0)
        {
            return storedSecondaryKey.Length == 0;
        }

        var buffer = new CharBuffer(stackalloc char[256]);
        try
        {
            Write(ref buffer, spec, requestHeaders);
            return buffer.AsSpan().SequenceEqual(storedSecondaryKey);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>Appends what <see cref="Compute"/> returns; false (nothing appended) for <c>Vary: *</c>.</summary>
    internal static bool TryWrite(ref CharBuffer buffer, VarySpec spec, IDictionary<string, StringValues> requestHeaders)
    {
        if (spec.IsStar)
        {
            return false;
        }

        Write(ref buffer, spec, requestHeaders);
        return true;
    }

    private static void Write(ref CharBuffer buffer, VarySpec spec, IDictionary<string, StringValues> requestHeaders)
    {
        var names = spec.FieldNames;
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            buffer.Append(name);
            buffer.Append(':');
            if (requestHeaders.TryGetValue(name, out var values) && values.Count > 0)
            {
                AppendNormalised(ref buffer, name, values);
            }
            else
            {
                buffer.Append(Absent);
            }

            buffer.Append('\n');
        }
    }

    /// <summary>
    /// Normalises as RFC 9111 §4.1 allows: field lines are combined (RFC 9110 §5.3), and for the
    /// known list-based fields whitespace around members and parameters is dropped, empty members are
    /// removed, and fields whose tokens are case-insensitive (content codings, charsets, language
    /// tags: RFC 9110 §8.4.1, §12.5.2, RFC 5646 §2.1.1) are lowercased. Other fields are only trimmed,
    /// since their own syntax decides what whitespace means.
    /// </summary>
    private static void AppendNormalised(ref CharBuffer buffer, string lowerName, StringValues values)
    {
        var kind = Classify(lowerName);
        if (kind == FieldKind.Opaque)
        {
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    buffer.Append(", ");
                }

                buffer.Append(HttpText.TrimOws(values[i].AsSpan()));
            }

            return;
        }

        var first = true;
        var reader = new HeaderListReader(values);
        while (reader.MoveNext())
        {
            if (!first)
            {
                buffer.Append(',');
            }

            first = false;
            var member = reader.Current;
            var lastWasSpace = false;
            for (var i = 0; i < member.Length; i++)
            {
                var c = member[i];
                if (HttpText.IsOws(c))
                {
                    lastWasSpace = true;
                    continue;
                }

                if (lastWasSpace && c != ';' && c != '=' && buffer.Last != ';' && buffer.Last != '=')
                {
                    buffer.Append(' ');
                }

                lastWasSpace = false;
                buffer.Append(kind == FieldKind.CaseInsensitiveList ? char.ToLowerInvariant(c) : c);
            }
        }
    }

    private static FieldKind Classify(string lowerName) => lowerName switch
    {
        "accept-encoding" or "accept-charset" or "accept-language" => FieldKind.CaseInsensitiveList,
        "accept" => FieldKind.List,
        _ => FieldKind.Opaque,
    };

    private enum FieldKind
    {
        Opaque,
        List,
        CaseInsensitiveList,
    }
}
