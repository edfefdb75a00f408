using System.Globalization;
using System.Text;
using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Reuse;

namespace ZProxy.Caching.Status;

/// <summary>Formats ZProxy's Cache-Status member (RFC 9211) as an RFC 8941 list member.</summary>
public static class CacheStatusFormatter
{
    /// <summary>
    /// Formats e.g. <c>ZProxy; hit; ttl=120</c>, <c>ZProxy; fwd=miss; stored</c> or
    /// <c>ZProxy; fwd=stale; fwd-status=304; ttl=60</c>. The cache name is a token when it is a valid
    /// sf-token, else an sf-string.
    /// </summary>
    public static string Format(string cacheName, in CacheStatusEntry entry)
    {
        var sb = new StringBuilder(48);
        AppendTokenOrString(sb, cacheName);
        if (entry.Hit)
        {
            sb.Append("; hit");
        }

        if (entry.Forward != CacheStatusForward.None)
        {
            sb.Append("; fwd=").Append(ForwardToken(entry.Forward));
        }

        if (entry.ForwardStatus is { } status)
        {
            sb.Append("; fwd-status=").Append(status.ToString(CultureInfo.InvariantCulture));
        }

        if (entry.TimeToLive is { } ttl)
        {
            // An sf-integer; whole seconds, truncated toward zero, bounded to 15 digits (RFC 8941 §3.3.1).
            var seconds = Math.Clamp((long)ttl.TotalSeconds, -999_999_999_999_999L, 999_999_999_999_999L);
            sb.Append("; ttl=").Append(seconds.ToString(CultureInfo.InvariantCulture));
        }

        if (entry.Stored)
        {
            sb.Append("; stored");
        }

        if (entry.Collapsed)
        {
            sb.Append("; collapsed");
        }

        if (entry.Key is { } key)
        {
            sb.Append("; key=");
            AppendString(sb, key);
        }

        if (entry.Detail is { } detail)
        {
            sb.Append("; detail=");
            AppendTokenOrString(sb, detail);
        }

        return sb.ToString();
    }

    /// <summary>
    /// Adds ZProxy's member after the members of caches closer to the origin (RFC 9211 §2: the last
    /// member is the cache closest to the user; existing members SHOULD be preserved).
    /// </summary>
    public static StringValues Append(StringValues existing, string member) => StringValues.Concat(existing, member);

    /// <summary>
    /// The <c>fwd</c> value for a stored response that was not served (RFC 9211 §2.2): <c>request</c>
    /// when the request's directives ruled out a usable response, <c>stale</c> otherwise (stale, or
    /// no-cache / soft-purged, which need validation like a stale one).
    /// </summary>
    public static CacheStatusForward ForwardFor(ReuseReason reason) => reason switch
    {
        ReuseReason.RequestNoCache or ReuseReason.RequestMaxAge or ReuseReason.RequestMinFresh => CacheStatusForward.Request,
        _ => CacheStatusForward.Stale,
    };

    /// <summary>
    /// A <c>detail</c> token (RFC 9211 §2.8) for a policy reason, e.g. <c>StorabilityReason.ResponsePrivate</c>
    /// gives <c>response-private</c>, <c>ReuseReason.StaleWhileRevalidate</c> gives
    /// <c>stale-while-revalidate</c>. The strings are computed once per value and cached, so the hot
    /// path does not allocate.
    /// </summary>
    public static string Detail<TEnum>(TEnum reason)
        where TEnum : struct, Enum => DetailCache<TEnum>.Get(reason);

    /// <summary>The sf-token of a <see cref="CacheStatusForward"/> value.</summary>
    public static string ForwardToken(CacheStatusForward forward) => forward switch
    {
        CacheStatusForward.Bypass => "bypass",
        CacheStatusForward.Method => "method",
        CacheStatusForward.UriMiss => "uri-miss",
        CacheStatusForward.VaryMiss => "vary-miss",
        CacheStatusForward.Miss => "miss",
        CacheStatusForward.Request => "request",
        CacheStatusForward.Stale => "stale",
        CacheStatusForward.Partial => "partial",
        _ => throw new ArgumentOutOfRangeException(nameof(forward)),
    };

    private static void AppendTokenOrString(StringBuilder sb, string value)
    {
        if (IsSfToken(value))
        {
            sb.Append(value);
        }
        else
        {
            AppendString(sb, value);
        }
    }

    /// <summary>sf-token (RFC 8941 §3.3.4): ( ALPHA / "*" ) *( tchar / ":" / "/" ).</summary>
    private static bool IsSfToken(string value)
    {
        if (value.Length == 0 || !(char.IsAsciiLetter(value[0]) || value[0] == '*'))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(Headers.HttpText.IsTokenChar(c) || c is ':' or '/'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>sf-string (RFC 8941 §3.3.3): printable ASCII, with '"' and '\' escaped; others replaced by '?'.</summary>
    private static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\').Append(c);
            }
            else if (c is >= ' ' and <= '~')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('?');
            }
        }

        sb.Append('"');
    }
}
