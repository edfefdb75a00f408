using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Invalidation;

/// <summary>Which URIs a response to an unsafe request invalidates (RFC 9111 §4.4).</summary>
public static class InvalidationEvaluator
{
    /// <summary>
    /// For an unsafe method (anything but GET, HEAD, OPTIONS, TRACE, including unknown methods)
    /// answered with a non-error status (2xx or 3xx): the target URI, plus the URIs in Location and
    /// Content-Location resolved against it, but only those with the same origin (scheme, host, port;
    /// RFC 9110 §4.3.1), because a cache "MUST NOT trigger an invalidation ... if the origin of the URI
    /// to be invalidated differs from that of the target URI". Empty otherwise. Each URI is listed once;
    /// invalidate every variant stored under its key.
    /// </summary>
    public static IReadOnlyList<Uri> GetInvalidatedUris(string method, int statusCode, Uri targetUri, IDictionary<string, StringValues> responseHeaders) =>
        Evaluate(method, statusCode, targetUri, responseHeaders).Uris;

    /// <summary>As <see cref="GetInvalidatedUris"/>, with the reason.</summary>
    public static (IReadOnlyList<Uri> Uris, InvalidationReason Reason) Evaluate(string method, int statusCode, Uri targetUri, IDictionary<string, StringValues> responseHeaders)
    {
        if (HttpMethodRules.IsSafe(method))
        {
            return ([], InvalidationReason.SafeMethod);
        }

        if (statusCode is < 200 or >= 400)
        {
            return ([], InvalidationReason.ErrorStatus);
        }

        if (!targetUri.IsAbsoluteUri)
        {
            return ([], InvalidationReason.TargetNotAbsolute);
        }

        var result = new List<Uri>(3) { targetUri };
        Add(result, targetUri, responseHeaders, CacheHeaderNames.Location);
        Add(result, targetUri, responseHeaders, CacheHeaderNames.ContentLocation);
        return (result, InvalidationReason.Invalidated);
    }

    private static void Add(List<Uri> result, Uri target, IDictionary<string, StringValues> headers, string name)
    {
        if (!headers.TryGetValue(name, out var values) || values.Count != 1 || string.IsNullOrWhiteSpace(values[0]))
        {
            return;
        }

        // Relative references resolve against the target URI (RFC 9110 §10.2.2, §8.7; RFC 3986 §5).
        if (!Uri.TryCreate(target, values[0]!.Trim(), out var uri) || !uri.IsAbsoluteUri)
        {
            return;
        }

        if (Uri.Compare(uri, target, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            return;
        }

        foreach (var existing in result)
        {
            if (Uri.Compare(existing, uri, UriComponents.HttpRequestUrl, UriFormat.UriEscaped, StringComparison.Ordinal) == 0)
            {
                return;
            }
        }

        result.Add(uri);
    }
}
