using ZProxy.Caching.Invalidation;

namespace ZProxy.Caching.Tests;

public class InvalidationEvaluatorTests
{
    private static readonly Uri Target = new("https://example.com/items/7?x=1");

    // RFC 9111 §4.4: unsafe methods with a non-error status invalidate the target URI (and same-origin Location / Content-Location).
    [Theory]
    [InlineData("POST", 200, "", "https://example.com/items/7?x=1")]
    [InlineData("PUT", 204, "", "https://example.com/items/7?x=1")]
    [InlineData("DELETE", 200, "", "https://example.com/items/7?x=1")]
    [InlineData("PATCH", 302, "", "https://example.com/items/7?x=1")]
    [InlineData("PURGEALL", 200, "", "https://example.com/items/7?x=1")]
    [InlineData("POST", 404, "", "")]
    [InlineData("POST", 500, "", "")]
    [InlineData("POST", 100, "", "")]
    [InlineData("GET", 200, "Location: /x", "")]
    [InlineData("HEAD", 200, "", "")]
    [InlineData("OPTIONS", 200, "", "")]
    [InlineData("TRACE", 200, "", "")]
    [InlineData("POST", 201, "Location: /items/8", "https://example.com/items/7?x=1 https://example.com/items/8")]
    [InlineData("POST", 201, "Location: 8", "https://example.com/items/7?x=1 https://example.com/items/8")]
    [InlineData("POST", 201, "Location: ../list?page=2", "https://example.com/items/7?x=1 https://example.com/list?page=2")]
    [InlineData("POST", 200, "Content-Location: https://EXAMPLE.com:443/items/9", "https://example.com/items/7?x=1 https://example.com/items/9")]
    [InlineData("POST", 201, "Location: https://other.example/items/8", "https://example.com/items/7?x=1")]
    [InlineData("POST", 201, "Location: http://example.com/items/8", "https://example.com/items/7?x=1")]
    [InlineData("POST", 201, "Location: https://example.com:8443/items/8", "https://example.com/items/7?x=1")]
    [InlineData("POST", 201, "Location: //other.example/x", "https://example.com/items/7?x=1")]
    [InlineData("POST", 201, "Location: /items/7?x=1\nContent-Location: /items/7?x=1", "https://example.com/items/7?x=1")]
    [InlineData("POST", 201, "Location: /a\nContent-Location: /b", "https://example.com/items/7?x=1 https://example.com/a https://example.com/b")]
    public void GetInvalidatedUris_Rfc9111Sec4_4(string method, int status, string response, string expected)
    {
        var uris = InvalidationEvaluator.GetInvalidatedUris(method, status, Target, TestHeaders.Of(response));
        Assert.Equal(expected, string.Join(" ", uris.Select(u => u.AbsoluteUri)));
    }

    [Theory]
    [InlineData("POST", 200, InvalidationReason.Invalidated)]
    [InlineData("GET", 200, InvalidationReason.SafeMethod)]
    [InlineData("DELETE", 404, InvalidationReason.ErrorStatus)]
    public void Evaluate_Reason_Rfc9111Sec4_4(string method, int status, InvalidationReason reason)
    {
        Assert.Equal(reason, InvalidationEvaluator.Evaluate(method, status, Target, TestHeaders.Of(null)).Reason);
        Assert.Equal(InvalidationReason.TargetNotAbsolute, InvalidationEvaluator.Evaluate("POST", 200, new Uri("/relative", UriKind.Relative), TestHeaders.Of(null)).Reason);
    }
}
