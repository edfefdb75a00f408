using Microsoft.Extensions.Primitives;

namespace ZProxy.Caching.Headers;

/// <summary>
/// Parses cache directives (RFC 9111 §5.2) from header dictionaries, including the targeted fields
/// of RFC 9213 for responses and <c>Pragma: no-cache</c> for requests (RFC 9111 §5.4).
/// </summary>
public static class CacheControlParser
{
    /// <summary>The targeted fields ZProxy obeys, highest precedence first (RFC 9213 §2.2).</summary>
    public static readonly IReadOnlyList<string> DefaultTargetedFields = [CacheHeaderNames.ZProxyCacheControl, CacheHeaderNames.CdnCacheControl];

    /// <summary>Parses a classic <c>Cache-Control</c> field value (all field lines).</summary>
    public static CacheControlDirectives Parse(StringValues cacheControl)
    {
        if (StringValues.IsNullOrEmpty(cacheControl))
        {
            return default;
        }

        var builder = default(DirectiveBuilder);
        var reader = new HeaderListReader(cacheControl);
        while (reader.MoveNext())
        {
            var member = reader.Current;
            var eq = member.IndexOf('=');
            if (eq < 0)
            {
                builder.Apply(member, default, hasArgument: false);
            }
            else
            {
                // Whitespace around "=" is not in the grammar, but tolerating it costs nothing and
                // reads the sender's evident intent.
                builder.Apply(HttpText.TrimOws(member[..eq]), HttpText.TrimOws(member[(eq + 1)..]), hasArgument: true);
            }
        }

        return builder.Build(CacheControlSource.CacheControl, CacheHeaderNames.CacheControl);
    }

    /// <summary>
    /// Parses a targeted field value (RFC 9213 §2.1: an RFC 8941 Dictionary). Returns false, and the
    /// caller falls back, when the field is empty or fails to parse.
    /// </summary>
    public static bool TryParseTargeted(StringValues value, string fieldName, out CacheControlDirectives directives)
    {
        directives = default;
        if (StringValues.IsNullOrEmpty(value))
        {
            return false;
        }

        // RFC 8941 §4.2: field lines are combined with commas before parsing.
        var text = value.Count == 1 ? value[0] ?? string.Empty : string.Join(", ", value.ToArray());
        var builder = new DirectiveBuilder { LastWins = true };
        if (!StructuredFieldParser.TryParseDictionary(text, ref builder))
        {
            return false;
        }

        directives = builder.Build(CacheControlSource.Targeted, fieldName);
        return true;
    }

    /// <summary>
    /// The directives that govern a stored or received response for ZProxy: the first valid,
    /// non-empty targeted field in <paramref name="targetedFields"/> (default: ZProxy-Cache-Control,
    /// then CDN-Cache-Control); otherwise Cache-Control (RFC 9213 §2.2). When a targeted field
    /// applies, the caller must also ignore <c>Expires</c>; <see cref="CacheControlDirectives.Source"/> tells.
    /// </summary>
    public static CacheControlDirectives ParseResponse(IDictionary<string, StringValues> headers, IReadOnlyList<string>? targetedFields = null)
    {
        targetedFields ??= DefaultTargetedFields;
        for (var i = 0; i < targetedFields.Count; i++)
        {
            var name = targetedFields[i];
            if (headers.TryGetValue(name, out var value) && TryParseTargeted(value, name, out var targeted))
            {
                return targeted;
            }
        }

        return headers.TryGetValue(CacheHeaderNames.CacheControl, out var cc) ? Parse(cc) : default;
    }

    /// <summary>
    /// The directives of a request. Targeted fields apply to responses only. When Cache-Control is
    /// absent, <c>Pragma: no-cache</c> is read as <c>Cache-Control: no-cache</c> (RFC 9111 §5.4).
    /// </summary>
    public static CacheControlDirectives ParseRequest(IDictionary<string, StringValues> headers)
    {
        if (headers.TryGetValue(CacheHeaderNames.CacheControl, out var cc) && !StringValues.IsNullOrEmpty(cc))
        {
            return Parse(cc);
        }

        if (headers.TryGetValue(CacheHeaderNames.Pragma, out var pragma))
        {
            var reader = new HeaderListReader(pragma);
            while (reader.MoveNext())
            {
                if (reader.Current.Equals("no-cache", StringComparison.OrdinalIgnoreCase))
                {
                    return new CacheControlDirectives
                    {
                        Flags = CacheDirectiveFlags.NoCache,
                        Source = CacheControlSource.Pragma,
                        FieldName = CacheHeaderNames.Pragma,
                    };
                }
            }
        }

        return default;
    }
}
