using System.Text;
using ZProxy.Caching.Keys;

namespace ZProxy.Caching.Tests;

/// <summary>
/// The string-building key builder as it was before keys were written into stack buffers (commit
/// 5771e8d), kept verbatim as the oracle: the buffer-based <see cref="CacheKeyBuilder"/> must return the
/// same key for every input.
/// </summary>
internal static class ReferenceCacheKeyBuilder
{
    /// <summary>Builds the key of a request.</summary>
    /// <param name="scheme"><c>http</c> or <c>https</c>.</param>
    /// <param name="host">The Host / :authority value, optionally with a port; IPv6 literals in brackets.</param>
    /// <param name="path">The path (PathBase + Path in ASP.NET Core terms); empty means <c>/</c>.</param>
    /// <param name="query">The query with or without its leading <c>?</c>; null or empty for none.</param>
    /// <param name="options">The route's key options.</param>
    public static string Build(string scheme, string host, string? path, string? query, CacheKeyOptions options)
    {
        var lowerScheme = scheme.ToLowerInvariant();
        var authority = NormaliseAuthority(lowerScheme, host);

        // RFC 9110 §4.2.3: an empty path is equivalent to "/".
        var normalisedPath = string.IsNullOrEmpty(path) ? "/" : NormalisePercentEncoding(path);
        var q = NormaliseQuery(query, options);
        return q.Length == 0
            ? string.Concat(lowerScheme, "://", authority, normalisedPath)
            : string.Concat(lowerScheme, "://", authority, normalisedPath, "?", q);
    }

    /// <summary>Lowercases the host and drops the scheme's default port (80 for http, 443 for https).</summary>
    internal static string NormaliseAuthority(string lowerScheme, string host)
    {
        var close = host.LastIndexOf(']');
        var colon = host.LastIndexOf(':');
        var end = host.Length;
        if (colon > close)
        {
            var port = host.AsSpan(colon + 1);
            if (port.IsEmpty
                || (lowerScheme == "http" && port.SequenceEqual("80"))
                || (lowerScheme == "https" && port.SequenceEqual("443")))
            {
                // "example.com:" also means the default port (RFC 9110 §4.2.3).
                end = colon;
            }
        }

        var span = host.AsSpan(0, end);
        if (!span.ContainsAnyInRange('A', 'Z'))
        {
            return end == host.Length ? host : span.ToString();
        }

        return string.Create(end, host, static (dest, h) => h.AsSpan(0, dest.Length).ToLowerInvariant(dest));
    }

    /// <summary>
    /// Percent-encoding normalisation (RFC 3986 §6.2.2.1-2, which RFC 9110 §4.2.3 applies to http
    /// URIs): hex digits uppercased, and octets of unreserved characters decoded, so <c>/%7euser</c>
    /// and <c>/~user</c> share a key. Pass the path in its escaped (on-the-wire) form; ASP.NET Core's
    /// decoded <c>Request.Path</c> should go through <c>PathString.ToUriComponent()</c> first.
    /// </summary>
    internal static string NormalisePercentEncoding(string text)
    {
        var percent = text.IndexOf('%');
        if (percent < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, percent);
        for (var i = percent; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                var value = (char)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                if (char.IsAsciiLetterOrDigit(value) || value is '-' or '.' or '_' or '~')
                {
                    sb.Append(value);
                }
                else
                {
                    sb.Append('%').Append(char.ToUpperInvariant(text[i + 1])).Append(char.ToUpperInvariant(text[i + 2]));
                }

                i += 2;
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    internal static string NormaliseQuery(string? query, CacheKeyOptions options)
    {
        if (string.IsNullOrEmpty(query) || options.QueryMode == QueryStringMode.Ignore)
        {
            return string.Empty;
        }

        var q = query[0] == '?' ? query[1..] : query;
        if (q.Length == 0)
        {
            return string.Empty;
        }

        var ignored = options.IgnoredQueryParameters;
        if (options.QueryMode == QueryStringMode.AsIs && (ignored is null || ignored.Count == 0))
        {
            return NormalisePercentEncoding(q);
        }

        var parameters = new List<(int Start, int Length, int Order)>();
        var start = 0;
        while (start <= q.Length)
        {
            var amp = q.IndexOf('&', start);
            var end = amp < 0 ? q.Length : amp;
            if (end > start && !IsIgnored(q.AsSpan(start, end - start), ignored))
            {
                parameters.Add((start, end - start, parameters.Count));
            }

            if (amp < 0)
            {
                break;
            }

            start = amp + 1;
        }

        if (options.QueryMode == QueryStringMode.Sorted)
        {
            parameters.Sort((a, b) =>
            {
                var c = q.AsSpan(a.Start, a.Length).SequenceCompareTo(q.AsSpan(b.Start, b.Length));
                return c != 0 ? c : a.Order.CompareTo(b.Order);
            });
        }

        var sb = new StringBuilder(q.Length);
        foreach (var (s, l, _) in parameters)
        {
            if (sb.Length > 0)
            {
                sb.Append('&');
            }

            sb.Append(q, s, l);
        }

        return NormalisePercentEncoding(sb.ToString());
    }

    private static bool IsIgnored(ReadOnlySpan<char> parameter, IList<string>? ignored)
    {
        if (ignored is null || ignored.Count == 0)
        {
            return false;
        }

        var eq = parameter.IndexOf('=');
        var name = eq < 0 ? parameter : parameter[..eq];
        for (var i = 0; i < ignored.Count; i++)
        {
            if (name.SequenceEqual(ignored[i]))
            {
                return true;
            }
        }

        return false;
    }
}
