using ZProxy.Caching.Ranges;
using ZProxy.Caching.Storage;

namespace ZProxy.Caching.Tests;

public class RangeEvaluatorTests
{
    private static StoredResponseMetadata Stored(string headers, int status = 200) =>
        StoredResponseMetadata.Create(TestHeaders.Of(null), status, TestHeaders.Of(FreshnessCalculatorTests.Expand(headers)), Times.T0, Times.T0, new CachePolicyOptions());

    // RFC 9110 §14.1.1 / §14.1.2 / §14.4 / §15.5.17.
    [Theory]
    [InlineData("bytes=0-99", 1000, RangeDecision.Partial, 0L, 100L, "bytes 0-99/1000")]
    [InlineData("bytes=500-", 1000, RangeDecision.Partial, 500L, 500L, "bytes 500-999/1000")]
    [InlineData("bytes=-100", 1000, RangeDecision.Partial, 900L, 100L, "bytes 900-999/1000")]
    [InlineData("bytes=-5000", 1000, RangeDecision.Partial, 0L, 1000L, "bytes 0-999/1000")]
    [InlineData("bytes=900-5000", 1000, RangeDecision.Partial, 900L, 100L, "bytes 900-999/1000")]
    [InlineData("bytes=999-999", 1000, RangeDecision.Partial, 999L, 1L, "bytes 999-999/1000")]
    [InlineData("BYTES=0-0", 1000, RangeDecision.Partial, 0L, 1L, "bytes 0-0/1000")]
    [InlineData("bytes=0-99,", 1000, RangeDecision.Partial, 0L, 100L, "bytes 0-99/1000")]
    [InlineData("bytes=0-99999999999999999999999", 1000, RangeDecision.Partial, 0L, 1000L, "bytes 0-999/1000")]
    [InlineData("bytes=1000-", 1000, RangeDecision.NotSatisfiable, 0L, 0L, "bytes */1000")]
    [InlineData("bytes=1000-2000", 1000, RangeDecision.NotSatisfiable, 0L, 0L, "bytes */1000")]
    [InlineData("bytes=-0", 1000, RangeDecision.NotSatisfiable, 0L, 0L, "bytes */1000")]
    [InlineData("bytes=0-", 0, RangeDecision.NotSatisfiable, 0L, 0L, "bytes */0")]
    [InlineData("bytes=-1", 0, RangeDecision.NotSatisfiable, 0L, 0L, "bytes */0")]
    [InlineData("bytes=0-1,5-6", 1000, RangeDecision.Partial, 0L, 7L, "bytes 0-6/1000")]
    [InlineData("bytes=5-1", 1000, RangeDecision.Full, 0L, 0L, null)]
    [InlineData("bytes=abc", 1000, RangeDecision.Full, 0L, 0L, null)]
    [InlineData("bytes=-", 1000, RangeDecision.Full, 0L, 0L, null)]
    [InlineData("bytes 0-5", 1000, RangeDecision.Full, 0L, 0L, null)]
    [InlineData("items=0-5", 1000, RangeDecision.Full, 0L, 0L, null)]
    [InlineData("bytes=+1-5", 1000, RangeDecision.Full, 0L, 0L, null)]
    public void Evaluate_ByteRanges_Rfc9110Sec14(string range, long length, RangeDecision decision, long start, long count, string? contentRange)
    {
        var r = RangeEvaluator.Evaluate("GET", TestHeaders.Of("Range: " + range), Stored("ETag: \"v\""), length);
        Assert.Equal(decision, r.Decision);
        Assert.Equal(start, r.Start);
        Assert.Equal(count, r.Length);
        Assert.Equal(contentRange, r.ContentRange);
    }

    // RFC 9110 §14.1.1 (a set is void if any member is invalid; unsatisfiable members are dropped), §14.6 (parts
    // may be coalesced and reordered; a single remaining range is not sent as multipart), §14.2 (many ranges may be ignored).
    [Theory]
    [InlineData("bytes=0-9,200-209", RangeDecision.Multipart, "0+10 200+10")]
    [InlineData("bytes=200-209, 0-9", RangeDecision.Multipart, "0+10 200+10")]
    [InlineData("bytes=-10,0-9", RangeDecision.Multipart, "0+10 990+10")]
    [InlineData("bytes=0-9,100-109,500-", RangeDecision.Multipart, "0+10 100+10 500+500")]
    [InlineData("bytes=0-9,5-20", RangeDecision.Partial, "0+21")]
    [InlineData("bytes=0-9,50-59", RangeDecision.Partial, "0+60")]
    [InlineData("bytes=0-9,2000-3000", RangeDecision.Partial, "0+10")]
    [InlineData("bytes=2000-,3000-", RangeDecision.NotSatisfiable, "")]
    [InlineData("bytes=0-9,abc", RangeDecision.Full, "")]
    [InlineData("bytes=0-9,9-5", RangeDecision.Full, "")]
    public void Evaluate_RangeSets_Rfc9110Sec14_1_1And14_6(string range, RangeDecision decision, string parts)
    {
        var r = RangeEvaluator.Evaluate("GET", TestHeaders.Of("Range: " + range), Stored("ETag: \"v\""), 1000);

        Assert.Equal(decision, r.Decision);
        var actual = r.Decision switch
        {
            RangeDecision.Multipart => string.Join(' ', r.Parts!.Select(p => $"{p.Start}+{p.Length}")),
            RangeDecision.Partial => $"{r.Start}+{r.Length}",
            _ => "",
        };
        Assert.Equal(parts, actual);
    }

    [Fact]
    public void Evaluate_MoreRangesThanTheLimit_IsIgnored()
    {
        var set = string.Join(',', Enumerable.Range(0, RangeEvaluator.MaxRanges + 1).Select(i => $"{i * 100}-{(i * 100) + 9}"));

        var r = RangeEvaluator.Evaluate("GET", TestHeaders.Of("Range: bytes=" + set), Stored("ETag: \"v\""), 100_000);

        Assert.Equal(RangeDecision.Full, r.Decision);
        Assert.Equal(RangeReason.TooManyRanges, r.Reason);
    }

    [Theory]
    [InlineData("HEAD", 200, "Range: bytes=0-5", RangeReason.MethodNotGet)]
    [InlineData("GET", 404, "Range: bytes=0-5", RangeReason.StoredStatusNot200)]
    [InlineData("GET", 200, "", RangeReason.NoRange)]
    [InlineData("GET", 200, "Range: bytes=0-5\nRange: bytes=7-8", RangeReason.MultipleRanges)]
    public void Evaluate_NotApplicable_Rfc9110Sec14_2(string method, int status, string request, RangeReason reason)
    {
        var r = RangeEvaluator.Evaluate(method, TestHeaders.Of(request), Stored("ETag: \"v\"", status), 100);
        Assert.Equal(reason, r.Reason);
        Assert.NotEqual(RangeDecision.Partial, r.Decision);
    }

    // RFC 9110 §13.1.5: If-Range with a strong ETag (strong comparison) or an exact, strong Last-Modified date.
    [Theory]
    [InlineData("ETag: \"v\"\nDate: {0}", "If-Range: \"v\"", RangeDecision.Partial)]
    [InlineData("ETag: \"v\"\nDate: {0}", "If-Range: \"w\"", RangeDecision.Full)]
    [InlineData("ETag: W/\"v\"\nDate: {0}", "If-Range: W/\"v\"", RangeDecision.Full)]
    [InlineData("ETag: \"v\"\nDate: {0}", "If-Range: W/\"v\"", RangeDecision.Full)]
    [InlineData("Last-Modified: {-60}\nDate: {0}", "If-Range: {-60}", RangeDecision.Partial)]
    [InlineData("Last-Modified: {-59}\nDate: {0}", "If-Range: {-59}", RangeDecision.Full)]
    [InlineData("Last-Modified: {-600}\nDate: {0}", "If-Range: {-500}", RangeDecision.Full)]
    [InlineData("Last-Modified: {-600}", "If-Range: {-600}", RangeDecision.Full)]
    [InlineData("Last-Modified: {-600}\nDate: {0}", "If-Range: garbage", RangeDecision.Full)]
    public void Evaluate_IfRange_Rfc9110Sec13_1_5(string stored, string ifRange, RangeDecision decision)
    {
        var request = TestHeaders.Of(FreshnessCalculatorTests.Expand("Range: bytes=0-9\n" + ifRange));
        var r = RangeEvaluator.Evaluate("GET", request, Stored(stored), 100);
        Assert.Equal(decision, r.Decision);
        if (decision == RangeDecision.Full)
        {
            Assert.Equal(RangeReason.IfRangeMismatch, r.Reason);
        }
    }
}
