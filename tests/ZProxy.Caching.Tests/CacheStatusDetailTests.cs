using ZProxy.Caching.Reuse;
using ZProxy.Caching.Status;
using ZProxy.Caching.Storage;

namespace ZProxy.Caching.Tests;

public class CacheStatusDetailTests
{
    // RFC 9211 §2.8: detail is implementation-specific; ZProxy sends its reason as an sf-token.
    [Fact]
    public void Detail_KebabCaseTokens_Rfc9211Sec2_8()
    {
        Assert.Equal("response-private", CacheStatusFormatter.Detail(StorabilityReason.ResponsePrivate));
        Assert.Equal("set-cookie", CacheStatusFormatter.Detail(StorabilityReason.SetCookie));
        Assert.Equal("stale-while-revalidate", CacheStatusFormatter.Detail(ReuseReason.StaleWhileRevalidate));
        Assert.Equal("grace", CacheStatusFormatter.Detail(StaleOnErrorReason.Grace));
        Assert.Same(CacheStatusFormatter.Detail(ReuseReason.Fresh), CacheStatusFormatter.Detail(ReuseReason.Fresh));
        Assert.Equal(
            "ZProxy; fwd=miss; detail=no-freshness-no-validators",
            CacheStatusFormatter.Format("ZProxy", new CacheStatusEntry { Forward = CacheStatusForward.Miss, Detail = CacheStatusFormatter.Detail(StorabilityReason.NoFreshnessNoValidators) }));
    }
}
