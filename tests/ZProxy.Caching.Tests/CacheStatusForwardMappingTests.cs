using ZProxy.Caching.Reuse;
using ZProxy.Caching.Status;

namespace ZProxy.Caching.Tests;

public class CacheStatusForwardMappingTests
{
    // RFC 9211 §2.2: "request" when request semantics prevented use, "stale" when the selected response was stale.
    [Theory]
    [InlineData(ReuseReason.RequestNoCache, CacheStatusForward.Request)]
    [InlineData(ReuseReason.RequestMaxAge, CacheStatusForward.Request)]
    [InlineData(ReuseReason.RequestMinFresh, CacheStatusForward.Request)]
    [InlineData(ReuseReason.Stale, CacheStatusForward.Stale)]
    [InlineData(ReuseReason.StaleMustRevalidate, CacheStatusForward.Stale)]
    [InlineData(ReuseReason.ResponseNoCache, CacheStatusForward.Stale)]
    [InlineData(ReuseReason.SoftPurged, CacheStatusForward.Stale)]
    public void ForwardFor_Rfc9211Sec2_2(ReuseReason reason, CacheStatusForward expected)
    {
        Assert.Equal(expected, CacheStatusFormatter.ForwardFor(reason));
    }
}
