using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Storage;

/// <summary>Which response fields a cache keeps (RFC 9111 §3.1) and which a 304 may update (§3.2).</summary>
public static class StoredFields
{
    /// <summary>
    /// Hop-by-hop fields, never stored (RFC 9111 §3.1: Connection and the fields it lists, and
    /// Proxy-Authenticate, Proxy-Authentication-Info, Proxy-Authorization; RFC 9110 §7.6.1 names
    /// Keep-Alive, Proxy-Connection, TE, Transfer-Encoding and Upgrade).
    /// </summary>
    public static bool IsHopByHop(string name) =>
        name.Equals(CacheHeaderNames.Connection, StringComparison.OrdinalIgnoreCase)
        || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authenticate", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authentication-Info", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("TE", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Trailer", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True for fields a 304 must not replace in the stored response (RFC 9111 §3.2): hop-by-hop
    /// fields, Content-Length (explicitly excepted), and fields describing the stored bytes
    /// themselves, which ZProxy does not re-derive: Content-Encoding (the stored body keeps its
    /// coding), Content-Range (processed per message, §3.2 "MAY exclude"). Age is not excepted: the
    /// 304's Age belongs with its Date, from which the freshened entry's age is recomputed.
    /// </summary>
    public static bool IsExcludedFromUpdate(string name) =>
        IsHopByHop(name)
        || name.Equals(CacheHeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
        || name.Equals(CacheHeaderNames.ContentEncoding, StringComparison.OrdinalIgnoreCase)
        || name.Equals(CacheHeaderNames.ContentRange, StringComparison.OrdinalIgnoreCase);

    /// <summary>Field names listed in Connection (RFC 9110 §7.6.1), which are hop-by-hop as well.</summary>
    public static void AddConnectionListed(IDictionary<string, StringValues> headers, List<string> into)
    {
        if (!headers.TryGetValue(CacheHeaderNames.Connection, out var connection))
        {
            return;
        }

        var reader = new HeaderListReader(connection);
        while (reader.MoveNext())
        {
            if (HttpText.IsToken(reader.Current) && !reader.Current.Equals("close", StringComparison.OrdinalIgnoreCase) && !reader.Current.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
            {
                into.Add(reader.Current.ToString());
            }
        }
    }
}
