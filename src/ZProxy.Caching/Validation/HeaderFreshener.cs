using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;
using ZProxy.Caching.Storage;

namespace ZProxy.Caching.Validation;

/// <summary>Freshening a stored response with a 304 (RFC 9111 §4.3.4) and updating its fields (§3.2).</summary>
public static class HeaderFreshener
{
    /// <summary>
    /// Whether a 304 selects the stored response for update (RFC 9111 §4.3.4): by a strong ETag in the
    /// 304 equal to the stored one; else by a weak ETag matching the stored one; else, when the 304
    /// has no validator at all, only if the stored response has none either; a Last-Modified in the
    /// 304 must then equal the stored one. A 304 that selects nothing must not update anything.
    /// </summary>
    public static bool Selects(IDictionary<string, StringValues> storedHeaders, IDictionary<string, StringValues> notModifiedHeaders)
    {
        var newETag = First(notModifiedHeaders, CacheHeaderNames.ETag);
        var storedETag = First(storedHeaders, CacheHeaderNames.ETag);
        if (newETag is not null)
        {
            // Strong: "All the stored responses with the same strong validator are identified";
            // weak: the stored response with that weak validator.
            return storedETag is not null && (EntityTag.IsStrong(newETag) ? EntityTag.StrongEquals(newETag, storedETag) : EntityTag.WeakEquals(newETag, storedETag));
        }

        var newLm = First(notModifiedHeaders, CacheHeaderNames.LastModified);
        var storedLm = First(storedHeaders, CacheHeaderNames.LastModified);
        if (newLm is not null)
        {
            return storedLm is not null && HttpDate.TryParse(newLm, DateTimeOffset.UnixEpoch, out var a) && HttpDate.TryParse(storedLm, DateTimeOffset.UnixEpoch, out var b) && a == b;
        }

        // No validator in the 304: only a validator-less stored response is identified. ZProxy
        // revalidates one stored response at a time, so "there is only one stored response" holds.
        return storedETag is null && storedLm is null;
    }

    /// <summary>
    /// For a 200 answer to an inbound HEAD (RFC 9111 §4.3.5): true when the stored GET response may be
    /// updated with <see cref="Freshen"/> (every validator the HEAD response carries, ETag and
    /// Last-Modified, equals the stored one, and so does Content-Length when present); false means the
    /// stored response "SHOULD be considered stale" (soft purge it).
    /// </summary>
    public static bool HeadResponseMatches(IDictionary<string, StringValues> storedHeaders, IDictionary<string, StringValues> headHeaders)
    {
        var headETag = First(headHeaders, CacheHeaderNames.ETag);
        if (headETag is not null && !string.Equals(headETag, First(storedHeaders, CacheHeaderNames.ETag), StringComparison.Ordinal))
        {
            return false;
        }

        var headLm = First(headHeaders, CacheHeaderNames.LastModified);
        if (headLm is not null)
        {
            var storedLm = First(storedHeaders, CacheHeaderNames.LastModified);
            if (storedLm is null || !HttpDate.TryParse(headLm, DateTimeOffset.UnixEpoch, out var a) || !HttpDate.TryParse(storedLm, DateTimeOffset.UnixEpoch, out var b) || a != b)
            {
                return false;
            }
        }

        var headLength = First(headHeaders, CacheHeaderNames.ContentLength);
        return headLength is null || string.Equals(headLength.Trim(), First(storedHeaders, CacheHeaderNames.ContentLength)?.Trim(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The stored fields updated from a 304 (or a HEAD response, RFC 9111 §4.3.5): every field of
    /// <paramref name="notModifiedHeaders"/> replaces all stored lines of that name (§3.2), except the
    /// ones <see cref="StoredFields.IsExcludedFromUpdate"/> names, fields listed in the merged
    /// response's Connection / qualified private / qualified no-cache, and Set-Cookie unless the route
    /// stores cookies. Returns a new case-insensitive dictionary; the inputs are not modified.
    /// Recompute <see cref="StoredResponseMetadata"/> from the result with the revalidation's times.
    /// </summary>
    /// <param name="storedHeaders">The stored response's fields.</param>
    /// <param name="notModifiedHeaders">The 304's fields.</param>
    /// <param name="options">The route policy.</param>
    /// <param name="receivedAt">
    /// When the 304 arrived. If the 304 has no Date, RFC 9110 §6.6.1 requires a caching recipient to add
    /// one with that time; otherwise the stored Date would stay, and with it a large apparent age.
    /// </param>
    public static Dictionary<string, StringValues> Freshen(IDictionary<string, StringValues> storedHeaders, IDictionary<string, StringValues> notModifiedHeaders, CachePolicyOptions options, DateTimeOffset? receivedAt = null)
    {
        var merged = new Dictionary<string, StringValues>(storedHeaders.Count + 4, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in storedHeaders)
        {
            merged[name] = value;
        }

        var omitted = new List<string>();
        StoredFields.AddConnectionListed(notModifiedHeaders, omitted);
        foreach (var (name, value) in notModifiedHeaders)
        {
            if (StoredFields.IsExcludedFromUpdate(name) || Contains(omitted, name))
            {
                continue;
            }

            // A cookie set while revalidating belongs to that one client, not to the shared copy.
            if (name.Equals(CacheHeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase) && options.SetCookie != SetCookieHandling.UnsafeStoreWithSetCookie)
            {
                continue;
            }

            merged[name] = value;
        }

        if (receivedAt is { } at && !notModifiedHeaders.ContainsKey(CacheHeaderNames.Date))
        {
            merged[CacheHeaderNames.Date] = HttpDate.Format(at);
        }

        // Age describes one message: the stored value was the original response's age on arrival. After a
        // 304 without Age, keeping it would make RFC 9111 §4.2.3 add the old age to the new exchange.
        if (!notModifiedHeaders.ContainsKey(CacheHeaderNames.Age))
        {
            merged.Remove(CacheHeaderNames.Age);
        }

        // The updated directives may newly name fields that must not be kept (RFC 9111 §5.2.2.4, §5.2.2.7).
        var directives = CacheControlParser.ParseResponse(merged, options.TargetedCacheControlFields);
        RemoveAll(merged, directives.PrivateFields);
        RemoveAll(merged, directives.NoCacheFields);
        return merged;
    }

    private static void RemoveAll(Dictionary<string, StringValues> headers, string[]? names)
    {
        if (names is null)
        {
            return;
        }

        foreach (var name in names)
        {
            headers.Remove(name);
        }
    }

    private static bool Contains(List<string> names, string name)
    {
        foreach (var n in names)
        {
            if (n.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string? First(IDictionary<string, StringValues> headers, string name) =>
        headers.TryGetValue(name, out var v) && v.Count > 0 && !string.IsNullOrEmpty(v[0]) ? v[0] : null;
}
