using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Status;

namespace ZProxy.Caching.Tests;

public class CacheStatusFormatterTests
{
    public static TheoryData<CacheStatusEntry, string> Cases => new()
    {
        { new CacheStatusEntry { Hit = true }, "ZProxy; hit" },
        { new CacheStatusEntry { Hit = true, TimeToLive = TimeSpan.FromSeconds(120.7) }, "ZProxy; hit; ttl=120" },
        { new CacheStatusEntry { Hit = true, TimeToLive = TimeSpan.FromSeconds(-5.2) }, "ZProxy; hit; ttl=-5" },
        { new CacheStatusEntry { Forward = CacheStatusForward.Miss, Stored = true }, "ZProxy; fwd=miss; stored" },
        { new CacheStatusEntry { Forward = CacheStatusForward.UriMiss, Stored = true }, "ZProxy; fwd=uri-miss; stored" },
        { new CacheStatusEntry { Forward = CacheStatusForward.VaryMiss }, "ZProxy; fwd=vary-miss" },
        { new CacheStatusEntry { Forward = CacheStatusForward.Request }, "ZProxy; fwd=request" },
        { new CacheStatusEntry { Forward = CacheStatusForward.Bypass }, "ZProxy; fwd=bypass" },
        { new CacheStatusEntry { Forward = CacheStatusForward.Method }, "ZProxy; fwd=method" },
        { new CacheStatusEntry { Forward = CacheStatusForward.Partial }, "ZProxy; fwd=partial" },
        { new CacheStatusEntry { Forward = CacheStatusForward.Stale, ForwardStatus = 304, TimeToLive = TimeSpan.FromSeconds(60), Stored = true }, "ZProxy; fwd=stale; fwd-status=304; ttl=60; stored" },
        { new CacheStatusEntry { Forward = CacheStatusForward.Miss, Collapsed = true }, "ZProxy; fwd=miss; collapsed" },
        { new CacheStatusEntry { Hit = true, Detail = "stale-while-revalidate" }, "ZProxy; hit; detail=stale-while-revalidate" },
        { new CacheStatusEntry { Forward = CacheStatusForward.Miss, Detail = "too large" }, "ZProxy; fwd=miss; detail=\"too large\"" },
        { new CacheStatusEntry { Forward = CacheStatusForward.Miss, Detail = "1abc" }, "ZProxy; fwd=miss; detail=\"1abc\"" },
        { new CacheStatusEntry { Forward = CacheStatusForward.Miss, Key = "http://h/p?q=\"x\"" }, "ZProxy; fwd=miss; key=\"http://h/p?q=\\\"x\\\"\"" },
    };

    // RFC 9211 §2: hit, fwd, fwd-status, ttl, stored, collapsed, key, detail as an RFC 8941 list member.
    [Theory]
    [MemberData(nameof(Cases))]
    public void Format_Parameters_Rfc9211Sec2(CacheStatusEntry entry, string expected)
    {
        Assert.Equal(expected, CacheStatusFormatter.Format("ZProxy", entry));
    }

    [Theory]
    [InlineData("ZProxy", "ZProxy; hit")]
    [InlineData("edge-1.example", "edge-1.example; hit")]
    [InlineData("My Cache", "\"My Cache\"; hit")]
    public void Format_CacheName_TokenOrString_Rfc9211Sec2(string name, string expected)
    {
        Assert.Equal(expected, CacheStatusFormatter.Format(name, new CacheStatusEntry { Hit = true }));
    }

    // RFC 9211 §2: existing members (caches closer to the origin) are preserved; ours is last.
    [Fact]
    public void Append_PreservesUpstreamMembers_Rfc9211Sec2()
    {
        var combined = CacheStatusFormatter.Append(new StringValues("OriginCache; hit"), "ZProxy; fwd=miss");
        Assert.Equal("OriginCache; hit,ZProxy; fwd=miss", combined.ToString());
        Assert.Equal("ZProxy; hit", CacheStatusFormatter.Append(StringValues.Empty, "ZProxy; hit").ToString());
    }
}
