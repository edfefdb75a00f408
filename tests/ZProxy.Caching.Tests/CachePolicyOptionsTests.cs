using ZProxy.Caching.Keys;

namespace ZProxy.Caching.Tests;

public class CachePolicyOptionsTests
{
    [Fact]
    public void Defaults_AreRfcConservative()
    {
        var o = new CachePolicyOptions();
        Assert.True(o.Enabled);
        Assert.Null(o.DefaultTtl);
        Assert.Null(o.MaxTtl);
        Assert.True(o.HeuristicEnabled);
        Assert.Equal(0.1, o.HeuristicFraction);
        Assert.Equal(TimeSpan.FromDays(1), o.HeuristicMaxLifetime);
        Assert.Equal(TimeSpan.Zero, o.Grace);
        Assert.Equal(SetCookieHandling.DoNotStore, o.SetCookie);
        Assert.Equal("Surrogate-Key", o.TagHeaderName);
        Assert.Equal(QueryStringMode.AsIs, o.Key.QueryMode);
        Assert.Equal(["ZProxy-Cache-Control", "CDN-Cache-Control"], o.TargetedCacheControlFields);
        Assert.Empty(o.Validate());
    }

    [Theory]
    [InlineData("fraction0", "HeuristicFraction")]
    [InlineData("fraction2", "HeuristicFraction")]
    [InlineData("negativeTtl", "DefaultTtl")]
    [InlineData("negativeMax", "MaxTtl")]
    [InlineData("negativeGrace", "Grace")]
    [InlineData("negativeSize", "MaxObjectSize")]
    [InlineData("noName", "CacheName")]
    [InlineData("badCookie", "SetCookie")]
    [InlineData("badQuery", "QueryMode")]
    public void Validate_Invalid_Reported(string which, string property)
    {
        var o = new CachePolicyOptions();
        switch (which)
        {
            case "fraction0": o.HeuristicFraction = 0; break;
            case "fraction2": o.HeuristicFraction = 2; break;
            case "negativeTtl": o.DefaultTtl = TimeSpan.FromSeconds(-1); break;
            case "negativeMax": o.MaxTtl = TimeSpan.FromSeconds(-1); break;
            case "negativeGrace": o.Grace = TimeSpan.FromSeconds(-1); break;
            case "negativeSize": o.MaxObjectSize = -1; break;
            case "noName": o.CacheName = " "; break;
            case "badCookie": o.SetCookie = (SetCookieHandling)42; break;
            case "badQuery": o.Key.QueryMode = (QueryStringMode)42; break;
        }

        Assert.Contains(o.Validate(), e => e.Contains(property, StringComparison.Ordinal));
    }
}
