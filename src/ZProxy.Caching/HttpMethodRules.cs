namespace ZProxy.Caching;

/// <summary>Method checks (RFC 9110 §9). Methods are case-sensitive (RFC 9110 §9.1).</summary>
public static class HttpMethodRules
{
    public static bool IsGet(string method) => string.Equals(method, "GET", StringComparison.Ordinal);

    public static bool IsHead(string method) => string.Equals(method, "HEAD", StringComparison.Ordinal);

    /// <summary>Safe methods (RFC 9110 §9.2.1): GET, HEAD, OPTIONS, TRACE. Unknown methods are unsafe.</summary>
    public static bool IsSafe(string method) => method is "GET" or "HEAD" or "OPTIONS" or "TRACE";
}
