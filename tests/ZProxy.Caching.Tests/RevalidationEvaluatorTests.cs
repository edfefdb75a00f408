using ZProxy.Caching.Validation;

namespace ZProxy.Caching.Tests;

public class RevalidationEvaluatorTests
{
    // RFC 9111 §4.3.3: 304 freshens, 5xx may fall back to stale, a full response replaces.
    [Theory]
    [InlineData(304, RevalidationAction.Freshen)]
    [InlineData(200, RevalidationAction.Replace)]
    [InlineData(404, RevalidationAction.Replace)]
    [InlineData(301, RevalidationAction.Replace)]
    [InlineData(500, RevalidationAction.ServeStaleOrForward)]
    [InlineData(503, RevalidationAction.ServeStaleOrForward)]
    [InlineData(504, RevalidationAction.ServeStaleOrForward)]
    public void Classify_Rfc9111Sec4_3_3(int status, RevalidationAction action)
    {
        Assert.Equal(action, RevalidationEvaluator.Classify(status));
    }
}
