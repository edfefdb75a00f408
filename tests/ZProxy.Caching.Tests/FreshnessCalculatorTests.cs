using ZProxy.Caching.Freshness;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Tests;

public class FreshnessCalculatorTests
{
    private static FreshnessLifetime Compute(int status, string headers, CachePolicyOptions? options = null)
    {
        var h = TestHeaders.Of(headers);
        var directives = CacheControlParser.ParseResponse(h);
        return FreshnessCalculator.Compute(status, directives, h, Times.T0, options ?? new CachePolicyOptions());
    }

    // RFC 9111 §4.2.1: s-maxage > max-age > Expires - Date.
    [Theory]
    [InlineData("Cache-Control: s-maxage=10, max-age=20\nExpires: {+30}\nDate: {0}", 10, FreshnessSource.SharedMaxAge)]
    [InlineData("Cache-Control: max-age=20\nExpires: {+30}\nDate: {0}", 20, FreshnessSource.MaxAge)]
    [InlineData("Expires: {+30}\nDate: {0}", 30, FreshnessSource.Expires)]
    [InlineData("Expires: {+30}\nDate: {-10}", 40, FreshnessSource.Expires)]
    [InlineData("Expires: {+30}", 30, FreshnessSource.Expires)]
    [InlineData("Expires: {+30}\nDate: garbage", 30, FreshnessSource.Expires)]
    [InlineData("Expires: {-30}\nDate: {0}", 0, FreshnessSource.Expires)]
    [InlineData("Expires: 0\nLast-Modified: {-100000}", 0, FreshnessSource.Expires)]
    [InlineData("Expires: -1", 0, FreshnessSource.Expires)]
    [InlineData("Expires: {+30}\nExpires: {+60}", 0, FreshnessSource.Expires)]
    [InlineData("Cache-Control: max-age=abc\nExpires: {+30}", 0, FreshnessSource.MaxAge)]
    [InlineData("Cache-Control: max-age=60\nExpires: 0", 60, FreshnessSource.MaxAge)]
    public void Compute_ExplicitOrder_Rfc9111Sec4_2_1(string headers, int seconds, FreshnessSource source)
    {
        var f = Compute(200, Expand(headers));
        Assert.Equal(TimeSpan.FromSeconds(seconds), f.Lifetime);
        Assert.Equal(source, f.Source);
        Assert.True(f.IsExplicit);
    }

    // RFC 9213 §2.2: a targeted field makes the cache ignore Cache-Control and Expires.
    [Fact]
    public void Compute_TargetedField_IgnoresExpires_Rfc9213Sec2_2()
    {
        var f = Compute(200, Expand("CDN-Cache-Control: public\nCache-Control: max-age=99\nExpires: {+30}\nLast-Modified: {-1000}"));
        Assert.Equal(FreshnessSource.Heuristic, f.Source);
        Assert.Equal(TimeSpan.FromSeconds(100), f.Lifetime);
    }

    // RFC 9111 §4.2.2: heuristic only without explicit freshness and for heuristically cacheable or public responses.
    [Theory]
    [InlineData(200, "Last-Modified: {-1000}\nDate: {0}", 100, FreshnessSource.Heuristic)]
    [InlineData(404, "Last-Modified: {-1000}", 100, FreshnessSource.Heuristic)]
    [InlineData(302, "Last-Modified: {-1000}", 0, FreshnessSource.None)]
    [InlineData(302, "Cache-Control: public\nLast-Modified: {-1000}", 100, FreshnessSource.Heuristic)]
    [InlineData(200, "Last-Modified: {+1000}", 0, FreshnessSource.None)]
    [InlineData(200, "Last-Modified: {-100000000}", 86400, FreshnessSource.Heuristic)]
    [InlineData(200, "Last-Modified: nonsense", 0, FreshnessSource.None)]
    [InlineData(200, "", 0, FreshnessSource.None)]
    public void Compute_Heuristic_Rfc9111Sec4_2_2(int status, string headers, int seconds, FreshnessSource source)
    {
        var f = Compute(status, Expand(headers));
        Assert.Equal(TimeSpan.FromSeconds(seconds), f.Lifetime);
        Assert.Equal(source, f.Source);
        Assert.False(f.IsExplicit);
    }

    [Fact]
    public void Compute_HeuristicDisabledOrTuned_Rfc9111Sec4_2_2()
    {
        var headers = Expand("Last-Modified: {-1000}");
        Assert.Equal(FreshnessSource.None, Compute(200, headers, new CachePolicyOptions { HeuristicEnabled = false }).Source);
        Assert.Equal(TimeSpan.FromSeconds(500), Compute(200, headers, new CachePolicyOptions { HeuristicFraction = 0.5 }).Lifetime);
        Assert.Equal(TimeSpan.FromSeconds(50), Compute(200, headers, new CachePolicyOptions { HeuristicMaxLifetime = TimeSpan.FromSeconds(50) }).Lifetime);
    }

    // DefaultTtl applies only where heuristic freshness is allowed, and never over explicit freshness.
    [Theory]
    [InlineData(200, "", 300, FreshnessSource.DefaultTtl)]
    [InlineData(200, "Last-Modified: {-1000}", 100, FreshnessSource.Heuristic)]
    [InlineData(302, "", 0, FreshnessSource.None)]
    [InlineData(302, "Cache-Control: public", 300, FreshnessSource.DefaultTtl)]
    [InlineData(200, "Cache-Control: max-age=5", 5, FreshnessSource.MaxAge)]
    [InlineData(200, "Expires: 0", 0, FreshnessSource.Expires)]
    public void Compute_DefaultTtl_OnlyWhereAllowed_Rfc9111Sec4_2_2(int status, string headers, int seconds, FreshnessSource source)
    {
        var f = Compute(status, Expand(headers), new CachePolicyOptions { DefaultTtl = TimeSpan.FromSeconds(300) });
        Assert.Equal(TimeSpan.FromSeconds(seconds), f.Lifetime);
        Assert.Equal(source, f.Source);
    }

    [Theory]
    [InlineData("Cache-Control: max-age=1000", 60, true)]
    [InlineData("Cache-Control: max-age=10", 10, false)]
    [InlineData("Last-Modified: {-100000}", 60, true)]
    public void Compute_MaxTtl_Caps(string headers, int seconds, bool capped)
    {
        var f = Compute(200, Expand(headers), new CachePolicyOptions { MaxTtl = TimeSpan.FromSeconds(60) });
        Assert.Equal(TimeSpan.FromSeconds(seconds), f.Lifetime);
        Assert.Equal(capped, f.Capped);
    }

    /// <summary>Replaces {+N}/{-N}/{0} with the IMF-fixdate of T0 plus N seconds.</summary>
    internal static string Expand(string headers)
    {
        var result = headers;
        while (true)
        {
            var open = result.IndexOf('{');
            if (open < 0)
            {
                return result;
            }

            var close = result.IndexOf('}', open);
            var offset = double.Parse(result[(open + 1)..close], System.Globalization.CultureInfo.InvariantCulture);
            result = result[..open] + Times.At(offset) + result[(close + 1)..];
        }
    }
}
