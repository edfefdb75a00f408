using ZProxy.Caching.Freshness;
using ZProxy.Caching.Storage;

namespace ZProxy.Caching.Tests;

public class StorabilityEvaluatorTests
{
    private static StorabilityResult Evaluate(string method, string request, int status, string response, CachePolicyOptions? options = null, long? length = null) =>
        StorabilityEvaluator.Evaluate(method, TestHeaders.Of(request), status, TestHeaders.Of(FreshnessCalculatorTests.Expand(response)), Times.T0, options ?? new CachePolicyOptions(), length);

    // RFC 9111 §3: the storability conditions, one row each.
    [Theory]
    [InlineData("GET", "", 200, "Cache-Control: max-age=60", true, StorabilityReason.Storable)]
    [InlineData("HEAD", "", 200, "Cache-Control: max-age=60", false, StorabilityReason.MethodNotCacheable)]
    [InlineData("POST", "", 200, "Cache-Control: max-age=60", false, StorabilityReason.MethodNotCacheable)]
    [InlineData("get", "", 200, "Cache-Control: max-age=60", false, StorabilityReason.MethodNotCacheable)]
    [InlineData("GET", "", 100, "Cache-Control: max-age=60", false, StorabilityReason.InterimStatus)]
    [InlineData("GET", "", 103, "Cache-Control: max-age=60", false, StorabilityReason.InterimStatus)]
    [InlineData("GET", "", 206, "Cache-Control: max-age=60", false, StorabilityReason.PartialContent)]
    [InlineData("GET", "", 304, "Cache-Control: max-age=60", false, StorabilityReason.NotModified)]
    [InlineData("GET", "Cache-Control: no-store", 200, "Cache-Control: max-age=60", false, StorabilityReason.RequestNoStore)]
    [InlineData("GET", "", 200, "Cache-Control: max-age=60, no-store", false, StorabilityReason.ResponseNoStore)]
    [InlineData("GET", "", 200, "Cache-Control: max-age=60, private", false, StorabilityReason.ResponsePrivate)]
    [InlineData("GET", "", 200, "Cache-Control: public, private, max-age=60", false, StorabilityReason.ResponsePrivate)]
    [InlineData("GET", "", 200, "Cache-Control: max-age=60\nVary: *", false, StorabilityReason.VaryStar)]
    [InlineData("GET", "", 200, "Cache-Control: max-age=60\nVary: Accept, *", false, StorabilityReason.VaryStar)]
    [InlineData("GET", "", 200, "Cache-Control: max-age=60\nVary: Accept-Encoding", true, StorabilityReason.Storable)]
    public void Evaluate_Rules_Rfc9111Sec3(string method, string request, int status, string response, bool store, StorabilityReason reason)
    {
        var r = Evaluate(method, request, status, response);
        Assert.Equal(reason, r.Reason);
        Assert.Equal(store, r.Store);
    }

    // RFC 9111 §3 + RFC 9110 §15.1: default-cacheable statuses are storable without explicit freshness (heuristic);
    // others need explicit freshness or public.
    [Theory]
    [InlineData(200, true)]
    [InlineData(203, true)]
    [InlineData(204, true)]
    [InlineData(300, true)]
    [InlineData(301, true)]
    [InlineData(308, true)]
    [InlineData(404, true)]
    [InlineData(405, true)]
    [InlineData(410, true)]
    [InlineData(414, true)]
    [InlineData(501, true)]
    [InlineData(201, false)]
    [InlineData(302, false)]
    [InlineData(307, false)]
    [InlineData(400, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public void Evaluate_HeuristicallyCacheableStatus_Rfc9111Sec3(int status, bool store)
    {
        var r = Evaluate("GET", "", status, "Last-Modified: {-1000}");
        Assert.Equal(store, r.Store);
        Assert.Equal(store ? StorabilityReason.Storable : StorabilityReason.StatusNotCacheable, r.Reason);
    }

    // RFC 9111 §3: any final status with explicit freshness (or public) is storable.
    [Theory]
    [InlineData(302, "Cache-Control: max-age=60")]
    [InlineData(500, "Expires: {+60}")]
    [InlineData(307, "Cache-Control: s-maxage=60")]
    [InlineData(302, "Cache-Control: public\nLast-Modified: {-1000}")]
    [InlineData(599, "Cache-Control: max-age=60")]
    public void Evaluate_ExplicitFreshnessAnyStatus_Stored_Rfc9111Sec3(int status, string response)
    {
        Assert.True(Evaluate("GET", "", status, response).Store);
    }

    // RFC 9111 §3.5: Authorization requests only with public, s-maxage or must-revalidate.
    [Theory]
    [InlineData("Cache-Control: max-age=60", false, StorabilityReason.Authorization)]
    [InlineData("Cache-Control: max-age=60, public", true, StorabilityReason.Storable)]
    [InlineData("Cache-Control: s-maxage=60", true, StorabilityReason.Storable)]
    [InlineData("Cache-Control: max-age=60, must-revalidate", true, StorabilityReason.Storable)]
    [InlineData("Cache-Control: max-age=60\nCDN-Cache-Control: public", true, StorabilityReason.StorableForRevalidation)]
    public void Evaluate_Authorization_Rfc9111Sec3_5(string response, bool store, StorabilityReason reason)
    {
        var r = Evaluate("GET", "Authorization: Bearer x", 200, response + "\nETag: \"v\"");
        Assert.Equal(reason, r.Reason);
        Assert.Equal(store, r.Store);
    }

    // RFC 9111 §5.2.2.3: must-understand with an understood status ignores no-store; otherwise not stored.
    [Theory]
    [InlineData(200, true, StorabilityReason.Storable)]
    [InlineData(299, false, StorabilityReason.StatusNotUnderstood)]
    public void Evaluate_MustUnderstand_Rfc9111Sec5_2_2_3(int status, bool store, StorabilityReason reason)
    {
        var r = Evaluate("GET", "", status, "Cache-Control: max-age=60, must-understand, no-store");
        Assert.Equal(reason, r.Reason);
        Assert.Equal(store, r.Store);
    }

    // Set-Cookie: safe default (not stored), or stored without the cookie, or (unsafe) with it.
    [Theory]
    [InlineData(SetCookieHandling.DoNotStore, false, StorabilityReason.SetCookie, false)]
    [InlineData(SetCookieHandling.StoreWithoutSetCookie, true, StorabilityReason.Storable, false)]
    [InlineData(SetCookieHandling.UnsafeStoreWithSetCookie, true, StorabilityReason.Storable, true)]
    public void Evaluate_SetCookie_Configurable_Rfc9111Sec7_3(SetCookieHandling handling, bool store, StorabilityReason reason, bool keepCookie)
    {
        var r = Evaluate("GET", "", 200, "Cache-Control: max-age=60\nSet-Cookie: a=b", new CachePolicyOptions { SetCookie = handling });
        Assert.Equal(reason, r.Reason);
        Assert.Equal(store, r.Store);
        if (store)
        {
            Assert.Equal(keepCookie, r.ShouldStoreField("set-cookie"));
        }
    }

    // No freshness and no validators: nothing to reuse; validators only: stored for revalidation.
    [Theory]
    [InlineData("", false, StorabilityReason.NoFreshnessNoValidators)]
    [InlineData("ETag: \"v1\"", true, StorabilityReason.StorableForRevalidation)]
    [InlineData("ETag: v1-unquoted", false, StorabilityReason.NoFreshnessNoValidators)]
    [InlineData("Cache-Control: max-age=0\nETag: \"v1\"", true, StorabilityReason.StorableForRevalidation)]
    [InlineData("Cache-Control: max-age=0", false, StorabilityReason.NoFreshnessNoValidators)]
    [InlineData("Cache-Control: max-age=600, no-cache", false, StorabilityReason.NoFreshnessNoValidators)]
    [InlineData("Cache-Control: max-age=600, no-cache\nLast-Modified: {-10}", true, StorabilityReason.StorableForRevalidation)]
    [InlineData("Expires: 0\nETag: W/\"w\"", true, StorabilityReason.StorableForRevalidation)]
    [InlineData("Last-Modified: {0}", true, StorabilityReason.StorableForRevalidation)]
    public void Evaluate_FreshnessOrValidators_Rfc9111Sec3_Sec4_3_1(string response, bool store, StorabilityReason reason)
    {
        var r = Evaluate("GET", "", 200, response, new CachePolicyOptions { HeuristicEnabled = false });
        Assert.Equal(reason, r.Reason);
        Assert.Equal(store, r.Store);
    }

    [Theory]
    [InlineData(null, "Content-Length: 2000", false)]
    [InlineData(null, "Content-Length: 1000", true)]
    [InlineData(5000L, "", false)]
    [InlineData(null, "", true)]
    public void Evaluate_MaxObjectSize_Hook(long? length, string extra, bool store)
    {
        var options = new CachePolicyOptions { MaxObjectSize = 1000 };
        var r = Evaluate("GET", "", 200, "Cache-Control: max-age=60\n" + extra, options, length);
        Assert.Equal(store, r.Store);
        Assert.Equal(store ? StorabilityReason.Storable : StorabilityReason.TooLarge, r.Reason);
        Assert.True(StorabilityEvaluator.ExceedsMaxObjectSize(1001, options));
        Assert.False(StorabilityEvaluator.ExceedsMaxObjectSize(1000, options));
    }

    [Fact]
    public void Evaluate_RouteDisabled_NotStored()
    {
        var r = Evaluate("GET", "", 200, "Cache-Control: max-age=60", new CachePolicyOptions { Enabled = false });
        Assert.Equal(StorabilityReason.RouteDisabled, r.Reason);
        Assert.False(r.Store);
    }

    // RFC 9111 §3.1 / §5.2.2.7 / §5.2.2.4: which fields are kept in the stored copy.
    [Theory]
    [InlineData("Cache-Control: max-age=60", "Content-Type", true)]
    [InlineData("Cache-Control: max-age=60", "Transfer-Encoding", false)]
    [InlineData("Cache-Control: max-age=60", "Connection", false)]
    [InlineData("Cache-Control: max-age=60", "Keep-Alive", false)]
    [InlineData("Cache-Control: max-age=60", "Proxy-Authenticate", false)]
    [InlineData("Cache-Control: max-age=60\nConnection: X-Hop", "x-hop", false)]
    [InlineData("Cache-Control: max-age=60, private=\"X-User\"", "X-User", false)]
    [InlineData("Cache-Control: max-age=60, private=\"X-User\"", "Content-Type", true)]
    [InlineData("Cache-Control: max-age=60, no-cache=\"X-Secret, X-Other\"", "x-other", false)]
    public void ShouldStoreField_Rfc9111Sec3_1(string response, string field, bool stored)
    {
        var r = Evaluate("GET", "", 200, response);
        Assert.True(r.Store);
        Assert.Equal(stored, r.ShouldStoreField(field));
    }

    [Fact]
    public void Evaluate_QualifiedPrivate_StoredWithoutField_Rfc9111Sec5_2_2_7()
    {
        var r = Evaluate("GET", "", 200, "Cache-Control: private=\"Set-Cookie\", max-age=60\nSet-Cookie: a=b", new CachePolicyOptions { SetCookie = SetCookieHandling.UnsafeStoreWithSetCookie });
        Assert.True(r.Store);
        Assert.False(r.ShouldStoreField("Set-Cookie"));
        Assert.Equal(FreshnessSource.MaxAge, r.Freshness.Source);
    }

    // RFC 9213 §2.2: with a valid targeted field, Cache-Control (no-store, private) is ignored by ZProxy.
    [Theory]
    [InlineData("Cache-Control: no-store\nCDN-Cache-Control: max-age=60", true, StorabilityReason.Storable)]
    [InlineData("Cache-Control: private\nCDN-Cache-Control: max-age=60", true, StorabilityReason.Storable)]
    [InlineData("Cache-Control: max-age=60\nCDN-Cache-Control: no-store", false, StorabilityReason.ResponseNoStore)]
    [InlineData("Cache-Control: max-age=60\nZProxy-Cache-Control: private\nCDN-Cache-Control: max-age=60", false, StorabilityReason.ResponsePrivate)]
    [InlineData("Cache-Control: no-store\nCDN-Cache-Control: Max-Age=60", false, StorabilityReason.ResponseNoStore)]
    public void Evaluate_TargetedFieldOverridesCacheControl_Rfc9213Sec2_2(string response, bool store, StorabilityReason reason)
    {
        var r = Evaluate("GET", "", 200, response);
        Assert.Equal(reason, r.Reason);
        Assert.Equal(store, r.Store);
    }

    // RFC 9111 §5.2.2.4 / §5.2.2.7: when the origin names Set-Cookie in a qualified directive, the default stores without it.
    [Theory]
    [InlineData("Cache-Control: max-age=60, no-cache=\"Set-Cookie\"")]
    [InlineData("Cache-Control: max-age=60, private=\"set-cookie\"")]
    public void Evaluate_SetCookieNamedByOrigin_StoredWithoutCookie_Rfc9111Sec5_2_2_4(string response)
    {
        var r = Evaluate("GET", "", 200, response + "\nSet-Cookie: a=b");
        Assert.True(r.Store);
        Assert.Equal(StorabilityReason.Storable, r.Reason);
        Assert.False(r.ShouldStoreField("Set-Cookie"));
    }
}
