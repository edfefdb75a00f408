using ZProxy.Caching.Storage;
using ZProxy.Caching.Validation;

namespace ZProxy.Caching.Tests;

public class ConditionalRequestEvaluatorTests
{
    private static StoredResponseMetadata Stored(string headers, int status = 200) =>
        StoredResponseMetadata.Create(TestHeaders.Of(null), status, TestHeaders.Of(FreshnessCalculatorTests.Expand(headers)), Times.T0, Times.T0, new CachePolicyOptions());

    // RFC 9110 §13.1.2, §13.1.3, §13.2.2: If-None-Match first (weak comparison, lists, *); If-Modified-Since only without it.
    [Theory]
    [InlineData("GET", "If-None-Match: \"v1\"", ConditionalOutcome.NotModified, ConditionalReason.IfNoneMatchMatched)]
    [InlineData("HEAD", "If-None-Match: \"v1\"", ConditionalOutcome.NotModified, ConditionalReason.IfNoneMatchMatched)]
    [InlineData("GET", "If-None-Match: W/\"v1\"", ConditionalOutcome.NotModified, ConditionalReason.IfNoneMatchMatched)]
    [InlineData("GET", "If-None-Match: \"x\", \"v1\"", ConditionalOutcome.NotModified, ConditionalReason.IfNoneMatchMatched)]
    [InlineData("GET", "If-None-Match: \"x\"\nIf-None-Match: \"v1\"", ConditionalOutcome.NotModified, ConditionalReason.IfNoneMatchMatched)]
    [InlineData("GET", "If-None-Match: *", ConditionalOutcome.NotModified, ConditionalReason.IfNoneMatchMatched)]
    [InlineData("GET", "If-None-Match: \"x\"", ConditionalOutcome.SendFull, ConditionalReason.IfNoneMatchNotMatched)]
    [InlineData("GET", "If-None-Match: \"x\"\nIf-Modified-Since: {+10}", ConditionalOutcome.SendFull, ConditionalReason.IfNoneMatchNotMatched)]
    [InlineData("GET", "If-Modified-Since: {-100}", ConditionalOutcome.NotModified, ConditionalReason.NotModifiedSince)]
    [InlineData("GET", "If-Modified-Since: {-1000}", ConditionalOutcome.NotModified, ConditionalReason.NotModifiedSince)]
    [InlineData("GET", "If-Modified-Since: {-1001}", ConditionalOutcome.SendFull, ConditionalReason.ModifiedSince)]
    [InlineData("GET", "If-Modified-Since: not a date", ConditionalOutcome.SendFull, ConditionalReason.IfModifiedSinceInvalid)]
    [InlineData("POST", "If-None-Match: \"v1\"", ConditionalOutcome.SendFull, ConditionalReason.MethodNotGetOrHead)]
    [InlineData("GET", "", ConditionalOutcome.SendFull, ConditionalReason.NoPreconditions)]
    public void Evaluate_Precedence_Rfc9110Sec13_2_2(string method, string request, ConditionalOutcome outcome, ConditionalReason reason)
    {
        var stored = Stored("ETag: \"v1\"\nLast-Modified: {-1000}\nDate: {0}");
        var (o, r) = ConditionalRequestEvaluator.Evaluate(method, TestHeaders.Of(FreshnessCalculatorTests.Expand(request)), stored);
        Assert.Equal(outcome, o);
        Assert.Equal(reason, r);
    }

    // RFC 9111 §4.3.2: without Last-Modified, a cache uses Date, then the time the response was received.
    [Theory]
    [InlineData("Date: {-50}", "If-Modified-Since: {-50}", ConditionalOutcome.NotModified)]
    [InlineData("Date: {-50}", "If-Modified-Since: {-51}", ConditionalOutcome.SendFull)]
    [InlineData("", "If-Modified-Since: {0}", ConditionalOutcome.NotModified)]
    [InlineData("", "If-Modified-Since: {-1}", ConditionalOutcome.SendFull)]
    public void Evaluate_IfModifiedSinceWithoutLastModified_Rfc9111Sec4_3_2(string stored, string request, ConditionalOutcome outcome)
    {
        var (o, _) = ConditionalRequestEvaluator.Evaluate("GET", TestHeaders.Of(FreshnessCalculatorTests.Expand(request)), Stored(stored));
        Assert.Equal(outcome, o);
    }

    [Fact]
    public void Evaluate_IfNoneMatchWithoutStoredETag_OnlyStarMatches_Rfc9110Sec13_1_2()
    {
        var stored = Stored("Last-Modified: {-10}");
        Assert.Equal(ConditionalOutcome.SendFull, ConditionalRequestEvaluator.Evaluate("GET", TestHeaders.Of("If-None-Match: \"v1\""), stored).Outcome);
        Assert.Equal(ConditionalOutcome.NotModified, ConditionalRequestEvaluator.Evaluate("GET", TestHeaders.Of("If-None-Match: *"), stored).Outcome);
    }

    // RFC 9110 §15.4.5: the fields a 304 carries.
    [Theory]
    [InlineData("Cache-Control", true, true)]
    [InlineData("Content-Location", true, true)]
    [InlineData("Date", true, true)]
    [InlineData("ETag", true, true)]
    [InlineData("Expires", true, true)]
    [InlineData("Vary", true, true)]
    [InlineData("CDN-Cache-Control", true, true)]
    [InlineData("Last-Modified", false, true)]
    [InlineData("Last-Modified", true, false)]
    [InlineData("Content-Type", true, false)]
    [InlineData("Content-Length", true, false)]
    [InlineData("Set-Cookie", true, false)]
    public void NotModifiedFields_Rfc9110Sec15_4_5(string name, bool hasETag, bool sent)
    {
        Assert.Equal(sent, NotModifiedFields.IsSent(name, hasETag));
    }

    // RFC 9110 §13.2.1: preconditions apply only when the unconditional response would be 2xx.
    [Theory]
    [InlineData(200, ConditionalOutcome.NotModified)]
    [InlineData(203, ConditionalOutcome.NotModified)]
    [InlineData(204, ConditionalOutcome.NotModified)]
    [InlineData(301, ConditionalOutcome.SendFull)]
    [InlineData(404, ConditionalOutcome.SendFull)]
    [InlineData(410, ConditionalOutcome.SendFull)]
    public void Evaluate_StoredNon2xx_PreconditionsIgnored_Rfc9110Sec13_2_1(int status, ConditionalOutcome outcome)
    {
        var stored = Stored("ETag: \"v1\"", status);
        Assert.Equal(outcome, ConditionalRequestEvaluator.Evaluate("GET", TestHeaders.Of("If-None-Match: \"v1\""), stored).Outcome);
    }
}
