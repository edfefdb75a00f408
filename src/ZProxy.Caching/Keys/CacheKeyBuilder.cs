using System.Buffers;

namespace ZProxy.Caching.Keys;

/// <summary>
/// The primary cache key (RFC 9111 §2: "the request method and target URI"; ZProxy stores GET
/// only and answers HEAD from it, so the key is method independent): scheme and host lowercased
/// with the default port dropped (RFC 9110 §4.2.3 normalisation), the path, and the query
/// normalised as the route asks.
/// </summary>
/// <remarks>
/// The key is written into a <see cref="CacheKeyBuffer"/> (stack memory on the hit path, so a lookup
/// allocates nothing); <see cref="Build(string, string, string?, string?, CacheKeyOptions)"/> is the
/// same writer followed by one string, for the paths that keep the key.
/// </remarks>
public static class CacheKeyBuilder
{
    /// <summary>Parameters sorted in stack memory; a longer query rents its ranges from the shared pool.</summary>
    private const int StackParameters = 32;

    /// <summary>Builds the key of a request.</summary>
    /// <param name="scheme"><c>http</c> or <c>https</c>.</param>
    /// <param name="host">The Host / :authority value, optionally with a port; IPv6 literals in brackets.</param>
    /// <param name="path">The path (PathBase + Path in ASP.NET Core terms); empty means <c>/</c>.</param>
    /// <param name="query">The query with or without its leading <c>?</c>; null or empty for none.</param>
    /// <param name="options">The route's key options.</param>
    public static string Build(string scheme, string host, string? path, string? query, CacheKeyOptions options)
    {
        var buffer = new CacheKeyBuffer(stackalloc char[CacheKeyBuffer.StackChars]);
        try
        {
            Write(ref buffer, scheme, host, path, default, query, options);
            return buffer.ToString();
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>Builds the key of an absolute URI (e.g. a Location target to invalidate).</summary>
    public static string Build(Uri uri, CacheKeyOptions options) =>
        Build(uri.Scheme, uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}", uri.AbsolutePath, uri.Query, options);

    /// <summary>
    /// Appends the key of a request to <paramref name="buffer"/>, exactly as
    /// <see cref="Build(string, string, string?, string?, CacheKeyOptions)"/> would return it for the path
    /// <paramref name="pathBase"/> + <paramref name="path"/>. Allocates nothing unless the key outgrows the
    /// buffer's memory (then it rents from the shared pool).
    /// </summary>
    /// <param name="buffer">The buffer the key is appended to.</param>
    /// <param name="scheme"><c>http</c> or <c>https</c>.</param>
    /// <param name="host">The Host / :authority value, optionally with a port; IPv6 literals in brackets.</param>
    /// <param name="pathBase">The first part of the path in escaped form (ASP.NET Core's PathBase), or empty.</param>
    /// <param name="path">The rest of the path in escaped form; an empty path overall means <c>/</c>.</param>
    /// <param name="query">The query with or without its leading <c>?</c>; empty for none.</param>
    /// <param name="options">The route's key options.</param>
    public static void Write(ref CacheKeyBuffer buffer, ReadOnlySpan<char> scheme, ReadOnlySpan<char> host,
        ReadOnlySpan<char> pathBase, ReadOnlySpan<char> path, ReadOnlySpan<char> query, CacheKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ref var chars = ref buffer.Chars;
        var schemeStart = chars.Length;
        chars.AppendLowerInvariant(scheme);
        var lowerScheme = chars.AsSpan()[schemeStart..];
        var isHttp = lowerScheme.SequenceEqual("http");
        var isHttps = lowerScheme.SequenceEqual("https");
        chars.Append("://");
        AppendAuthority(ref chars, isHttp, isHttps, host);

        // RFC 9110 §4.2.3: an empty path is equivalent to "/".
        if (pathBase.IsEmpty && path.IsEmpty)
        {
            chars.Append('/');
        }
        else
        {
            var pathStart = chars.Length;
            chars.Append(pathBase);
            chars.Append(path);
            NormalisePercentEncoding(ref chars, pathStart);
        }

        AppendQuery(ref chars, query, options);
    }

    /// <summary>Lowercases the host and drops the scheme's default port (80 for http, 443 for https).</summary>
    private static void AppendAuthority(ref CharBuffer chars, bool isHttp, bool isHttps, ReadOnlySpan<char> host)
    {
        var close = host.LastIndexOf(']');
        var colon = host.LastIndexOf(':');
        var end = host.Length;
        if (colon > close)
        {
            var port = host[(colon + 1)..];
            if (port.IsEmpty || (isHttp && port.SequenceEqual("80")) || (isHttps && port.SequenceEqual("443")))
            {
                // "example.com:" also means the default port (RFC 9110 §4.2.3).
                end = colon;
            }
        }

        var span = host[..end];

        // Only a host with ASCII capitals is lowercased (then wholly, invariantly); one without is kept as
        // it came. Hosts reaching Kestrel are ASCII, so this only fixes what the key of odd input is.
        if (span.ContainsAnyInRange('A', 'Z'))
        {
            chars.AppendLowerInvariant(span);
        }
        else
        {
            chars.Append(span);
        }
    }

    /// <summary>
    /// Percent-encoding normalisation (RFC 3986 §6.2.2.1-2, which RFC 9110 §4.2.3 applies to http
    /// URIs) of everything written from <paramref name="start"/> on: hex digits uppercased, and octets of
    /// unreserved characters decoded, so <c>/%7euser</c> and <c>/~user</c> share a key. Rewrites in place
    /// (the text never grows). The path goes in its escaped (on-the-wire) form; ASP.NET Core's decoded
    /// <c>Request.Path</c> should go through <c>PathString.ToUriComponent()</c> first.
    /// </summary>
    private static void NormalisePercentEncoding(ref CharBuffer chars, int start)
    {
        var text = chars.Written(start);
        var percent = text.IndexOf('%');
        if (percent < 0)
        {
            return;
        }

        // Reading never falls behind writing: every step reads at least as many chars as it writes.
        var write = percent;
        for (var i = percent; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                var high = text[i + 1];
                var low = text[i + 2];
                var value = (char)((HexValue(high) << 4) | HexValue(low));
                if (char.IsAsciiLetterOrDigit(value) || value is '-' or '.' or '_' or '~')
                {
                    text[write++] = value;
                }
                else
                {
                    text[write++] = '%';
                    text[write++] = char.ToUpperInvariant(high);
                    text[write++] = char.ToUpperInvariant(low);
                }

                i += 2;
            }
            else
            {
                text[write++] = c;
            }
        }

        chars.Truncate(start + write);
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Appends <c>?</c> and the normalised query, or nothing when the normalised query is empty.</summary>
    private static void AppendQuery(ref CharBuffer chars, ReadOnlySpan<char> query, CacheKeyOptions options)
    {
        if (query.IsEmpty || options.QueryMode == QueryStringMode.Ignore)
        {
            return;
        }

        var q = query[0] == '?' ? query[1..] : query;
        if (q.IsEmpty)
        {
            return;
        }

        var mark = chars.Length;
        chars.Append('?');
        var start = chars.Length;
        var ignored = options.IgnoredQueryParameters;
        if (options.QueryMode == QueryStringMode.AsIs && (ignored is null || ignored.Count == 0))
        {
            chars.Append(q);
        }
        else if (options.QueryMode == QueryStringMode.AsIs)
        {
            AppendKept(ref chars, q, ignored);
        }
        else
        {
            AppendSorted(ref chars, q, ignored);
        }

        if (chars.Length == start)
        {
            // Every parameter was ignored (or empty): no "?" either.
            chars.Truncate(mark);
            return;
        }

        NormalisePercentEncoding(ref chars, start);
    }

    /// <summary>The non-empty, non-ignored parameters in the order received, joined by <c>&amp;</c>.</summary>
    private static void AppendKept(ref CharBuffer chars, ReadOnlySpan<char> q, IList<string>? ignored)
    {
        var first = true;
        var reader = new ParameterReader(q);
        while (reader.MoveNext(out var start, out var length))
        {
            var parameter = q.Slice(start, length);
            if (IsIgnored(parameter, ignored))
            {
                continue;
            }

            if (!first)
            {
                chars.Append('&');
            }

            first = false;
            chars.Append(parameter);
        }
    }

    /// <summary>
    /// The non-empty, non-ignored parameters sorted ordinally and stably (equal ones keep their order),
    /// joined by <c>&amp;</c>. A binary insertion sort over (start, length) pairs: stable, allocation-free,
    /// and at most a few milliseconds for the thousands of parameters a request line can hold.
    /// </summary>
    private static void AppendSorted(ref CharBuffer chars, ReadOnlySpan<char> q, IList<string>? ignored)
    {
        (int Start, int Length)[]? rented = null;
        Span<(int Start, int Length)> ranges = q.Length / 2 < StackParameters
            ? stackalloc (int, int)[StackParameters]
            : (rented = ArrayPool<(int, int)>.Shared.Rent((q.Length / 2) + 1));
        try
        {
            var count = 0;
            var reader = new ParameterReader(q);
            while (reader.MoveNext(out var start, out var length))
            {
                var parameter = q.Slice(start, length);
                if (IsIgnored(parameter, ignored))
                {
                    continue;
                }

                // Upper bound among the sorted ones: after every equal parameter, which keeps the sort stable.
                int low = 0, high = count;
                while (low < high)
                {
                    var middle = (low + high) >>> 1;
                    var (s, l) = ranges[middle];
                    if (parameter.SequenceCompareTo(q.Slice(s, l)) < 0)
                    {
                        high = middle;
                    }
                    else
                    {
                        low = middle + 1;
                    }
                }

                ranges[low..count].CopyTo(ranges[(low + 1)..]);
                ranges[low] = (start, length);
                count++;
            }

            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    chars.Append('&');
                }

                var (s, l) = ranges[i];
                chars.Append(q.Slice(s, l));
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<(int, int)>.Shared.Return(rented);
            }
        }
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

    /// <summary>The non-empty <c>&amp;</c>-separated parameters of a query, as (start, length).</summary>
    private ref struct ParameterReader(ReadOnlySpan<char> query)
    {
        private readonly ReadOnlySpan<char> _query = query;
        private int _next;

        public bool MoveNext(out int start, out int length)
        {
            while (_next <= _query.Length)
            {
                start = _next;
                var amp = _query[start..].IndexOf('&');
                var end = amp < 0 ? _query.Length : start + amp;
                _next = end + 1;
                if (end > start)
                {
                    length = end - start;
                    return true;
                }
            }

            start = length = 0;
            return false;
        }
    }
}
