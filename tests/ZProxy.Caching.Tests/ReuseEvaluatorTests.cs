using Microsoft.Extensions.Time.Testing;
using ZProxy.Caching.Reuse;
using ZProxy.Caching.Storage;

namespace ZProxy.Caching.Tests;

public class ReuseEvaluatorTests
{
    /// <summary>Stores a response received at T0 (Date = T0) and evaluates a request <paramref name="elapsed"/> seconds later.</summary>
    private static ReuseResult Evaluate(string response, string request, double elapsed, CachePolicyOptions? options = null, bool softPurge = false)
    {
        options ??= new CachePolicyOptions();
        var clock = new FakeTimeProvider(Times.T0);
        var stored = StoredResponseMetadata.Create(TestHeaders.Of(null), 200, TestHeaders.Of(FreshnessCalculatorTests.Expand("Date: {0}\n" + response)), clock.GetUtcNow(), clock.GetUtcNow(), options);
        if (softPurge)
        {
            stored = stored.MarkStale();
        }

        clock.Advance(TimeSpan.FromSeconds(elapsed));
        return ReuseEvaluator.Evaluate(TestHeaders.Of(request), stored, clock.GetUtcNow(), options);
    }

    // RFC 9111 §4.2: response_is_fresh = freshness_lifetime > current_age.
    [Theory]
    [InlineData("Cache-Control: max-age=60", 0, ReuseDecision.Serve, ReuseReason.Fresh)]
    [InlineData("Cache-Control: max-age=60", 59.9, ReuseDecision.Serve, ReuseReason.Fresh)]
    [InlineData("Cache-Control: max-age=60", 60, ReuseDecision.Fetch, ReuseReason.Stale)]
    [InlineData("Cache-Control: max-age=60\nETag: \"v\"", 61, ReuseDecision.Revalidate, ReuseReason.Stale)]
    [InlineData("Cache-Control: max-age=60\nAge: 50", 9, ReuseDecision.Serve, ReuseReason.Fresh)]
    [InlineData("Cache-Control: max-age=60\nAge: 50", 11, ReuseDecision.Fetch, ReuseReason.Stale)]
    [InlineData("Cache-Control: max-age=60\nAge: garbage", 11, ReuseDecision.Serve, ReuseReason.Fresh)]
    public void Evaluate_Freshness_Rfc9111Sec4_2(string response, double elapsed, ReuseDecision decision, ReuseReason reason)
    {
        var r = Evaluate(response, "", elapsed);
        Assert.Equal(decision, r.Decision);
        Assert.Equal(reason, r.Reason);
    }

    // RFC 9111 §5.2.1: request directives.
    [Theory]
    [InlineData("Cache-Control: no-cache", 1, ReuseDecision.Revalidate, ReuseReason.RequestNoCache)]
    [InlineData("Pragma: no-cache", 1, ReuseDecision.Revalidate, ReuseReason.RequestNoCache)]
    [InlineData("Pragma: no-cache\nCache-Control: max-stale", 1, ReuseDecision.Serve, ReuseReason.Fresh)]
    [InlineData("Cache-Control: max-age=0", 1, ReuseDecision.Revalidate, ReuseReason.RequestMaxAge)]
    [InlineData("Cache-Control: max-age=10", 5, ReuseDecision.Serve, ReuseReason.Fresh)]
    [InlineData("Cache-Control: max-age=10", 10, ReuseDecision.Serve, ReuseReason.Fresh)]
    [InlineData("Cache-Control: max-age=10", 11, ReuseDecision.Revalidate, ReuseReason.RequestMaxAge)]
    [InlineData("Cache-Control: min-fresh=30", 20, ReuseDecision.Serve, ReuseReason.Fresh)]
    [InlineData("Cache-Control: min-fresh=30", 31, ReuseDecision.Revalidate, ReuseReason.RequestMinFresh)]
    [InlineData("Cache-Control: max-stale", 1000, ReuseDecision.Serve, ReuseReason.MaxStale)]
    [InlineData("Cache-Control: max-stale=30", 89, ReuseDecision.Serve, ReuseReason.MaxStale)]
    [InlineData("Cache-Control: max-stale=30", 91, ReuseDecision.Revalidate, ReuseReason.Stale)]
    [InlineData("Cache-Control: max-age=70, max-stale=30", 75, ReuseDecision.Revalidate, ReuseReason.RequestMaxAge)]
    [InlineData("Cache-Control: no-store", 1, ReuseDecision.Serve, ReuseReason.Fresh)]
    [InlineData("Cache-Control: only-if-cached", 1, ReuseDecision.Serve, ReuseReason.Fresh)]
    [InlineData("Cache-Control: only-if-cached", 100, ReuseDecision.GatewayTimeout, ReuseReason.OnlyIfCached)]
    [InlineData("Cache-Control: only-if-cached, max-stale", 100, ReuseDecision.Serve, ReuseReason.MaxStale)]
    [InlineData("Cache-Control: only-if-cached, no-cache", 1, ReuseDecision.GatewayTimeout, ReuseReason.OnlyIfCached)]
    public void Evaluate_RequestDirectives_Rfc9111Sec5_2_1(string request, double elapsed, ReuseDecision decision, ReuseReason reason)
    {
        var r = Evaluate("Cache-Control: max-age=60\nETag: \"v\"", request, elapsed);
        Assert.Equal(decision, r.Decision);
        Assert.Equal(reason, r.Reason);
    }

    // RFC 9111 §4.2.4, §5.2.2: response directives that forbid stale serving, and no-cache.
    [Theory]
    [InlineData("Cache-Control: max-age=60, no-cache", "", 1, ReuseDecision.Revalidate, ReuseReason.ResponseNoCache)]
    [InlineData("Cache-Control: max-age=60, must-revalidate", "Cache-Control: max-stale", 61, ReuseDecision.Revalidate, ReuseReason.StaleMustRevalidate)]
    [InlineData("Cache-Control: max-age=60, proxy-revalidate", "Cache-Control: max-stale", 61, ReuseDecision.Revalidate, ReuseReason.StaleMustRevalidate)]
    [InlineData("Cache-Control: s-maxage=60", "Cache-Control: max-stale", 61, ReuseDecision.Revalidate, ReuseReason.StaleMustRevalidate)]
    [InlineData("Cache-Control: max-age=60, must-revalidate", "", 30, ReuseDecision.Serve, ReuseReason.Fresh)]
    [InlineData("Cache-Control: max-age=60, must-revalidate, stale-while-revalidate=100", "", 61, ReuseDecision.Revalidate, ReuseReason.StaleMustRevalidate)]
    [InlineData("Cache-Control: s-maxage=60, stale-while-revalidate=100", "", 61, ReuseDecision.ServeStaleAndRevalidate, ReuseReason.StaleWhileRevalidate)]
    [InlineData("Cache-Control: max-age=60, stale-while-revalidate=30", "", 89, ReuseDecision.ServeStaleAndRevalidate, ReuseReason.StaleWhileRevalidate)]
    [InlineData("Cache-Control: max-age=60, stale-while-revalidate=30", "", 91, ReuseDecision.Revalidate, ReuseReason.Stale)]
    [InlineData("Cache-Control: max-age=60, no-cache, stale-while-revalidate=30", "", 70, ReuseDecision.Revalidate, ReuseReason.ResponseNoCache)]
    [InlineData("Cache-Control: max-age=60, stale-while-revalidate=30", "Cache-Control: no-cache", 70, ReuseDecision.Revalidate, ReuseReason.RequestNoCache)]
    public void Evaluate_ResponseDirectives_Rfc9111Sec4_2_4(string response, string request, double elapsed, ReuseDecision decision, ReuseReason reason)
    {
        var r = Evaluate(response + "\nETag: \"v\"", request, elapsed);
        Assert.Equal(decision, r.Decision);
        Assert.Equal(reason, r.Reason);
    }

    // Strict reading (option off): s-maxage implies proxy-revalidate and blocks stale-while-revalidate (RFC 9111 §5.2.2.10).
    [Fact]
    public void Evaluate_SharedMaxAgeStrict_NoStaleWhileRevalidate_Rfc9111Sec5_2_2_10()
    {
        var r = Evaluate("Cache-Control: s-maxage=60, stale-while-revalidate=100\nETag: \"v\"", "", 61, new CachePolicyOptions { StaleDirectivesOverrideSharedMaxAge = false });
        Assert.Equal(ReuseDecision.Revalidate, r.Decision);
        Assert.Equal(ReuseReason.StaleMustRevalidate, r.Reason);
    }

    // RFC 9111 §4.3.1: validators for revalidation come from the stored ETag and Last-Modified.
    [Theory]
    [InlineData("ETag: \"abc\"", "\"abc\"", null)]
    [InlineData("Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT", null, "Sun, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("ETag: W/\"w\"\nLast-Modified: Sun, 06 Nov 1994 08:49:37 GMT", "W/\"w\"", "Sun, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Last-Modified: yesterday", null, null)]
    public void Evaluate_Validators_Rfc9111Sec4_3_1(string validators, string? ifNoneMatch, string? ifModifiedSince)
    {
        var r = Evaluate("Cache-Control: max-age=60\n" + validators, "", 120);
        Assert.Equal(ifNoneMatch is null && ifModifiedSince is null ? ReuseDecision.Fetch : ReuseDecision.Revalidate, r.Decision);
        Assert.Equal(ifNoneMatch, r.IfNoneMatch);
        Assert.Equal(ifModifiedSince, r.IfModifiedSince);
    }

    [Fact]
    public void Evaluate_Fresh_ReportsAgeAndTtl_Rfc9211Sec2_4()
    {
        var r = Evaluate("Cache-Control: max-age=60\nAge: 10", "", 5);
        Assert.Equal(TimeSpan.FromSeconds(15), r.Age);
        Assert.Equal(TimeSpan.FromSeconds(45), r.TimeToLive);
        Assert.True(r.ServesFromCache);
        Assert.Null(r.IfNoneMatch);
    }

    [Fact]
    public void Evaluate_SoftPurged_Stale()
    {
        var r = Evaluate("Cache-Control: max-age=600\nETag: \"v\"", "", 1, softPurge: true);
        Assert.Equal(ReuseDecision.Revalidate, r.Decision);
        Assert.Equal(ReuseReason.SoftPurged, r.Reason);
    }

    // Clock skew: a Date far in the past (origin clock behind) makes the response older (apparent_age).
    [Fact]
    public void Evaluate_DateInPast_ApparentAgeCounts_Rfc9111Sec4_2_3()
    {
        var options = new CachePolicyOptions();
        var headers = TestHeaders.Of($"Date: {Times.At(-100)}\nCache-Control: max-age=60");
        var stored = StoredResponseMetadata.Create(TestHeaders.Of(null), 200, headers, Times.T0, Times.T0, options);
        var r = ReuseEvaluator.Evaluate(TestHeaders.Of(null), stored, Times.T0, options);
        Assert.Equal(ReuseDecision.Fetch, r.Decision);
        Assert.Equal(TimeSpan.FromSeconds(100), r.Age);
    }

    // RFC 5861 §4 stale-if-error and the route's grace; RFC 9111 §4.2.4 directives that forbid them.
    [Theory]
    [InlineData("Cache-Control: max-age=60", "", 30, 0, true, StaleOnErrorReason.Fresh)]
    [InlineData("Cache-Control: max-age=60", "", 61, 0, false, StaleOnErrorReason.TooStale)]
    [InlineData("Cache-Control: max-age=60, stale-if-error=100", "", 150, 0, true, StaleOnErrorReason.StaleIfError)]
    [InlineData("Cache-Control: max-age=60, stale-if-error=100", "", 170, 0, false, StaleOnErrorReason.TooStale)]
    [InlineData("Cache-Control: max-age=60", "Cache-Control: stale-if-error=100", 150, 0, true, StaleOnErrorReason.StaleIfError)]
    [InlineData("Cache-Control: max-age=60", "", 150, 100, true, StaleOnErrorReason.Grace)]
    [InlineData("Cache-Control: max-age=60", "", 170, 100, false, StaleOnErrorReason.TooStale)]
    [InlineData("Cache-Control: max-age=60, must-revalidate, stale-if-error=100", "", 61, 100, false, StaleOnErrorReason.MustRevalidate)]
    [InlineData("Cache-Control: max-age=60, proxy-revalidate", "", 61, 100, false, StaleOnErrorReason.MustRevalidate)]
    [InlineData("Cache-Control: s-maxage=60", "", 61, 100, false, StaleOnErrorReason.MustRevalidate)]
    [InlineData("Cache-Control: s-maxage=60, stale-if-error=100", "", 61, 0, true, StaleOnErrorReason.StaleIfError)]
    [InlineData("Cache-Control: max-age=60, no-cache", "", 1, 100, false, StaleOnErrorReason.NoCache)]
    [InlineData("Cache-Control: max-age=60", "Cache-Control: no-cache", 1, 100, false, StaleOnErrorReason.NoCache)]
    public void CanServeStaleOnError_Rfc5861Sec4_Rfc9111Sec4_2_4(string response, string request, double elapsed, int graceSeconds, bool allowed, StaleOnErrorReason reason)
    {
        var options = new CachePolicyOptions { Grace = TimeSpan.FromSeconds(graceSeconds) };
        var stored = StoredResponseMetadata.Create(TestHeaders.Of(null), 200, TestHeaders.Of(FreshnessCalculatorTests.Expand("Date: {0}\n" + response)), Times.T0, Times.T0, options);
        var (ok, why) = ReuseEvaluator.CanServeStaleOnError(TestHeaders.Of(request), stored, Times.T0.AddSeconds(elapsed), options);
        Assert.Equal(allowed, ok);
        Assert.Equal(reason, why);
    }
}
