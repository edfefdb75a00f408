using ZProxy.Caching.Reuse;

namespace ZProxy.Caching.Tests;

public class RequestClassifierTests
{
    // RFC 9111 §4 (GET/HEAD lookups), §4.3.2 (If-Match / If-Unmodified-Since not for caches), §4.4 (unsafe methods).
    [Theory]
    [InlineData("GET", "", true, RequestDisposition.Lookup, RequestReason.CacheableMethod)]
    [InlineData("HEAD", "", true, RequestDisposition.Lookup, RequestReason.CacheableMethod)]
    [InlineData("GET", "If-None-Match: \"a\"", true, RequestDisposition.Lookup, RequestReason.CacheableMethod)]
    [InlineData("GET", "Range: bytes=0-1", true, RequestDisposition.Lookup, RequestReason.CacheableMethod)]
    [InlineData("GET", "If-Match: \"a\"", true, RequestDisposition.Bypass, RequestReason.OriginPrecondition)]
    [InlineData("GET", "If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT", true, RequestDisposition.Bypass, RequestReason.OriginPrecondition)]
    [InlineData("OPTIONS", "", true, RequestDisposition.Bypass, RequestReason.MethodNotCacheable)]
    [InlineData("TRACE", "", true, RequestDisposition.Bypass, RequestReason.MethodNotCacheable)]
    [InlineData("GET", "", false, RequestDisposition.Bypass, RequestReason.RouteDisabled)]
    [InlineData("POST", "", true, RequestDisposition.ForwardAndInvalidate, RequestReason.UnsafeMethod)]
    [InlineData("DELETE", "", false, RequestDisposition.ForwardAndInvalidate, RequestReason.UnsafeMethod)]
    [InlineData("BREW", "", true, RequestDisposition.ForwardAndInvalidate, RequestReason.UnsafeMethod)]
    [InlineData("get", "", true, RequestDisposition.ForwardAndInvalidate, RequestReason.UnsafeMethod)]
    public void Classify_Rfc9111Sec4(string method, string request, bool enabled, RequestDisposition disposition, RequestReason reason)
    {
        var (d, r) = RequestClassifier.Classify(method, TestHeaders.Of(request), new CachePolicyOptions { Enabled = enabled });
        Assert.Equal(disposition, d);
        Assert.Equal(reason, r);
    }
}
