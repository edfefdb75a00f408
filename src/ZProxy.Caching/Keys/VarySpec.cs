using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Keys;

/// <summary>
/// The request fields a stored response was selected on (its <c>Vary</c>, RFC 9110 §12.5.5),
/// lowercased, de-duplicated and sorted so that the order and case of the Vary list do not matter.
/// </summary>
public sealed class VarySpec
{
    /// <summary>A response without Vary: every request to the URI matches.</summary>
    public static VarySpec None { get; } = new([], false);

    /// <summary><c>Vary: *</c>, or a list containing <c>*</c>: never matches (RFC 9111 §4.1).</summary>
    public static VarySpec Star { get; } = new([], true);

    private VarySpec(string[] fieldNames, bool isStar)
    {
        FieldNames = fieldNames;
        IsStar = isStar;
    }

    /// <summary>The nominated field names, lowercase, sorted ordinally.</summary>
    public IReadOnlyList<string> FieldNames { get; }

    /// <summary>True for <c>Vary: *</c>.</summary>
    public bool IsStar { get; }

    /// <summary>Parses all Vary field lines of a response.</summary>
    public static VarySpec Parse(StringValues vary)
    {
        if (StringValues.IsNullOrEmpty(vary))
        {
            return None;
        }

        List<string>? names = null;
        var reader = new HeaderListReader(vary);
        while (reader.MoveNext())
        {
            var member = reader.Current;
            if (member.Length == 1 && member[0] == '*')
            {
                return Star;
            }

            if (!HttpText.IsToken(member))
            {
                // Not a field name: a response whose selection ZProxy cannot reproduce never matches.
                return Star;
            }

            var name = member.ToString().ToLowerInvariant();
            names ??= [];
            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        if (names is null)
        {
            return None;
        }

        names.Sort(StringComparer.Ordinal);
        return new VarySpec([.. names], false);
    }

    /// <summary>Parses the Vary field of a response header dictionary.</summary>
    public static VarySpec FromResponse(IDictionary<string, StringValues> responseHeaders) =>
        responseHeaders.TryGetValue(CacheHeaderNames.Vary, out var vary) ? Parse(vary) : None;
}
