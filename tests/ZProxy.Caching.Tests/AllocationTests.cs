using ZProxy.Caching.Headers;
using ZProxy.Caching.Reuse;
using ZProxy.Caching.Storage;

namespace ZProxy.Caching.Tests;

/// <summary>The hit path must not allocate: directive parsing and the reuse decision are checked with the GC's per-thread counter.</summary>
public class AllocationTests
{
    [Fact]
    public void HitPathFunctions_DoNotAllocate()
    {
        var options = new CachePolicyOptions();
        var request = TestHeaders.Of("Cache-Control: max-age=100, max-stale=5\nAccept-Encoding: gzip");
        var response = TestHeaders.Of($"Cache-Control: public, max-age=60, stale-while-revalidate=30, no-transform\nDate: {Times.At(0)}\nETag: \"v\"\nLast-Modified: {Times.At(-100)}\nAge: 3");
        var stored = StoredResponseMetadata.Create(request, 200, response, Times.T0, Times.T0, options);
        var now = Times.T0.AddSeconds(10);
        var varied = StoredResponseMetadata.Create(request, 200, TestHeaders.Of("Cache-Control: max-age=60\nVary: Accept-Encoding, Accept-Language"), Times.T0, Times.T0, options);

        long Measure(Action action)
        {
            action();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                action();
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, Measure(() => CacheControlParser.ParseResponse(response)));
        Assert.Equal(0, Measure(() => CacheControlParser.ParseRequest(request)));
        Assert.Equal(0, Measure(() => ReuseEvaluator.Evaluate(request, stored, now, options)));
        Assert.Equal(0, Measure(() => HttpDate.TryParse(response["Date"], now, out _)));
        Assert.Equal(0, Measure(() => stored.IsFresh(now)));
        Assert.True(ZProxy.Caching.Keys.VaryKey.Matches(varied.Vary, varied.SecondaryKey, request));
        Assert.Equal(0, Measure(() => ZProxy.Caching.Keys.VaryKey.Matches(varied.Vary, varied.SecondaryKey, request)));
    }
}
