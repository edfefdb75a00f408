using ZProxy.Caching.Keys;

namespace ZProxy.Caching.Tests;

public class CacheKeyBuilderTests
{
    // RFC 9111 §2 / RFC 9110 §4.2.3: scheme and host are case-insensitive; default ports and empty paths normalise.
    [Theory]
    [InlineData("http", "Example.COM", "/a", "", "http://example.com/a")]
    [InlineData("HTTP", "example.com:80", "/a", null, "http://example.com/a")]
    [InlineData("https", "example.com:443", "/a", "?x=1", "https://example.com/a?x=1")]
    [InlineData("https", "example.com:80", "/a", null, "https://example.com:80/a")]
    [InlineData("http", "example.com:", "", null, "http://example.com/")]
    [InlineData("http", "[::1]:80", "/", null, "http://[::1]/")]
    [InlineData("http", "[::1]:8080", "/", null, "http://[::1]:8080/")]
    [InlineData("http", "[::1]", "/", null, "http://[::1]/")]
    [InlineData("http", "example.com", "/A/B", "?", "http://example.com/A/B")]
    [InlineData("http", "example.com", "/%7euser/%2fx%2F", "?q=%41%2c", "http://example.com/~user/%2Fx%2F?q=A%2C")]
    [InlineData("http", "example.com", "/100%", "?a=%zz", "http://example.com/100%?a=%zz")]
    public void Build_NormalisesSchemeHostPort_Rfc9110Sec4_2_3(string scheme, string host, string path, string? query, string expected)
    {
        Assert.Equal(expected, CacheKeyBuilder.Build(scheme, host, path, query, new CacheKeyOptions()));
    }

    [Theory]
    [InlineData(QueryStringMode.AsIs, "", "?b=2&a=1", "b=2&a=1")]
    [InlineData(QueryStringMode.Sorted, "", "?b=2&a=1&a=0", "a=0&a=1&b=2")]
    [InlineData(QueryStringMode.Sorted, "", "b=2&&a=1&", "a=1&b=2")]
    [InlineData(QueryStringMode.Ignore, "", "?b=2&a=1", "")]
    [InlineData(QueryStringMode.AsIs, "utm_source,fbclid", "?id=7&utm_source=x&fbclid", "id=7")]
    [InlineData(QueryStringMode.Sorted, "utm_source", "?z=1&utm_source=x&a", "a&z=1")]
    [InlineData(QueryStringMode.AsIs, "utm_source", "?utm_source=x", "")]
    [InlineData(QueryStringMode.AsIs, "UTM_SOURCE", "?utm_source=x", "utm_source=x")]
    public void Build_QueryNormalisation_Rfc9111Sec2(QueryStringMode mode, string ignored, string query, string expectedQuery)
    {
        var options = new CacheKeyOptions { QueryMode = mode, IgnoredQueryParameters = ignored.Split(',', StringSplitOptions.RemoveEmptyEntries) };
        var key = CacheKeyBuilder.Build("http", "h", "/p", query, options);
        Assert.Equal(expectedQuery.Length == 0 ? "http://h/p" : "http://h/p?" + expectedQuery, key);
    }

    [Fact]
    public void Build_FromUri_MatchesRequestForm_Rfc9111Sec4_4()
    {
        var options = new CacheKeyOptions();
        Assert.Equal(
            CacheKeyBuilder.Build("https", "example.com", "/a/b", "?q=1", options),
            CacheKeyBuilder.Build(new Uri("HTTPS://Example.com:443/a/b?q=1"), options));
        Assert.Equal("http://example.com:8080/", CacheKeyBuilder.Build(new Uri("http://example.com:8080"), options));
    }
}
