using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Validation;

/// <summary>Which stored fields a 304 generated from cache carries (RFC 9110 §15.4.5).</summary>
public static class NotModifiedFields
{
    /// <summary>
    /// True for the fields a 304 must carry when a 200 would have: Cache-Control, Content-Location,
    /// Date, ETag, Expires, Vary (RFC 9110 §15.4.5), the targeted cache-control fields (they are
    /// Cache-Control for CDNs, RFC 9213), and Last-Modified when there is no ETag ("metadata ... for the
    /// purpose of guiding cache updates"). The glue adds Age and Cache-Status itself.
    /// </summary>
    public static bool IsSent(string name, bool storedHasETag) =>
        name.Equals(CacheHeaderNames.CacheControl, StringComparison.OrdinalIgnoreCase)
        || name.Equals(CacheHeaderNames.ContentLocation, StringComparison.OrdinalIgnoreCase)
        || name.Equals(CacheHeaderNames.Date, StringComparison.OrdinalIgnoreCase)
        || name.Equals(CacheHeaderNames.ETag, StringComparison.OrdinalIgnoreCase)
        || name.Equals(CacheHeaderNames.Expires, StringComparison.OrdinalIgnoreCase)
        || name.Equals(CacheHeaderNames.Vary, StringComparison.OrdinalIgnoreCase)
        || name.Equals(CacheHeaderNames.CdnCacheControl, StringComparison.OrdinalIgnoreCase)
        || (!storedHasETag && name.Equals(CacheHeaderNames.LastModified, StringComparison.OrdinalIgnoreCase));
}
