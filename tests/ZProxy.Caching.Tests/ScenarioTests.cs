using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using ZProxy.Caching.Freshness;
using ZProxy.Caching.Keys;
using ZProxy.Caching.Reuse;
using ZProxy.Caching.Status;
using ZProxy.Caching.Storage;
using ZProxy.Caching.Validation;

namespace ZProxy.Caching.Tests;

/// <summary>The sequence the glue runs, end to end over the pure functions: miss, store, hit, stale, 304, hit.</summary>
public class ScenarioTests
{
    [Fact]
    public void MissStoreHitRevalidateFreshen_Rfc9111Sec4_Sec4_3_4()
    {
        var clock = new FakeTimeProvider(Times.T0);
        var options = new CachePolicyOptions();
        var request = TestHeaders.Of("Accept-Encoding: gzip");

        // Miss: the origin answers at T0+1 (one second of delay).
        var key = CacheKeyBuilder.Build("https", "Example.com:443", "/a", "?q=1", options.Key);
        Assert.Equal("https://example.com/a?q=1", key);
        var requestTime = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromSeconds(1));
        var response = TestHeaders.Of($"Date: {Times.At(1)}\nCache-Control: max-age=60\nETag: \"v1\"\nVary: Accept-Encoding\nContent-Length: 5");
        var storable = StorabilityEvaluator.Evaluate("GET", request, 200, response, clock.GetUtcNow(), options);
        Assert.True(storable.Store);
        var stored = StoredResponseMetadata.Create(request, 200, response, requestTime, clock.GetUtcNow(), options);
        Assert.Equal(
            "ZProxy; fwd=uri-miss; stored",
            CacheStatusFormatter.Format(options.CacheName, new CacheStatusEntry { Forward = CacheStatusForward.UriMiss, Stored = true }));

        // Hit 30 s later: age = 1 s response delay + 30 s resident.
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(VaryKey.Matches(stored.Vary, stored.SecondaryKey, TestHeaders.Of("Accept-Encoding:  GZIP")));
        Assert.False(VaryKey.Matches(stored.Vary, stored.SecondaryKey, TestHeaders.Of("Accept-Encoding: br")));
        var hit = ReuseEvaluator.Evaluate(request, stored, clock.GetUtcNow(), options);
        Assert.Equal(ReuseDecision.Serve, hit.Decision);
        Assert.Equal("31", AgeCalculator.FormatAge(hit.Age));
        Assert.Equal("ZProxy; hit; ttl=29", CacheStatusFormatter.Format(options.CacheName, new CacheStatusEntry { Hit = true, TimeToLive = hit.TimeToLive }));

        // Stale 40 s later: revalidate with the stored ETag; the origin says 304 with a new max-age.
        clock.Advance(TimeSpan.FromSeconds(40));
        var stale = ReuseEvaluator.Evaluate(request, stored, clock.GetUtcNow(), options);
        Assert.Equal(ReuseDecision.Revalidate, stale.Decision);
        Assert.Equal("\"v1\"", stale.IfNoneMatch);
        var revalidationSent = clock.GetUtcNow();
        var notModified = TestHeaders.Of($"Date: {Times.At(71)}\nCache-Control: max-age=600\nETag: \"v1\"");
        var storedHeaders = new Dictionary<string, StringValues>(response, StringComparer.OrdinalIgnoreCase);
        Assert.True(HeaderFreshener.Selects(storedHeaders, notModified));
        var merged = HeaderFreshener.Freshen(storedHeaders, notModified, options);
        Assert.Equal("max-age=600", merged["Cache-Control"].ToString());
        Assert.Equal("5", merged["Content-Length"].ToString());
        stored = StoredResponseMetadata.Create(request, 200, merged, revalidationSent, clock.GetUtcNow(), options);

        // Fresh again, and a client's conditional request is answered 304 from cache.
        clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(ReuseDecision.Serve, ReuseEvaluator.Evaluate(request, stored, clock.GetUtcNow(), options).Decision);
        var conditional = TestHeaders.Of("If-None-Match: W/\"v1\"");
        Assert.Equal(ConditionalOutcome.NotModified, ConditionalRequestEvaluator.Evaluate("HEAD", conditional, stored).Outcome);
    }
}
