using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Keys;

namespace ZProxy.Caching.Tests;

public class VaryKeyTests
{
    // RFC 9111 §4.1: "*" never matches; names are case-insensitive and order does not matter.
    [Theory]
    [InlineData("*", true, "")]
    [InlineData("Accept-Encoding, *", true, "")]
    [InlineData("Accept-Encoding, User-Agent", false, "accept-encoding,user-agent")]
    [InlineData("user-agent,ACCEPT-ENCODING, accept-encoding", false, "accept-encoding,user-agent")]
    [InlineData("", false, "")]
    [InlineData(" , ", false, "")]
    [InlineData("Accept-Encoding, \"quoted\"", true, "")]
    public void Parse_Names_Rfc9111Sec4_1(string vary, bool star, string names)
    {
        var spec = VarySpec.Parse(vary);
        Assert.Equal(star, spec.IsStar);
        Assert.Equal(names, string.Join(",", spec.FieldNames));
    }

    [Fact]
    public void Compute_Star_NeverMatches_Rfc9111Sec4_1()
    {
        var request = TestHeaders.Of("Accept-Encoding: gzip");
        Assert.Null(VaryKey.Compute(VarySpec.Star, request));
        Assert.False(VaryKey.Matches(VarySpec.Star, VaryKey.Compute(VarySpec.Star, request), request));
    }

    // RFC 9111 §4.1: normalisation known to keep the semantics: combine lines, drop whitespace, case-insensitive tokens.
    [Theory]
    [InlineData("Accept-Encoding", "Accept-Encoding: gzip, br", "Accept-Encoding: gzip,br", true)]
    [InlineData("Accept-Encoding", "Accept-Encoding: gzip\nAccept-Encoding: br", "Accept-Encoding: gzip, br", true)]
    [InlineData("Accept-Encoding", "Accept-Encoding: GZIP;q=1.0", "Accept-Encoding: gzip ; q=1.0", true)]
    [InlineData("Accept-Encoding", "Accept-Encoding: gzip,,br", "Accept-Encoding: gzip, br", true)]
    [InlineData("Accept-Encoding", "Accept-Encoding: gzip", "Accept-Encoding: br", false)]
    [InlineData("Accept-Encoding", "Accept-Encoding: gzip, br", "Accept-Encoding: br, gzip", false)]
    [InlineData("Accept-Language", "Accept-Language: en-US", "Accept-Language: en-us", true)]
    [InlineData("Accept", "Accept: text/html;level=1", "Accept: text/html; level=1", true)]
    [InlineData("User-Agent", "User-Agent: A", "User-Agent: a", false)]
    [InlineData("User-Agent", "User-Agent:  A ", "User-Agent: A", true)]
    [InlineData("X-Custom", "X-Custom: a,b", "X-Custom: a, b", false)]
    [InlineData("Accept-Encoding", "", "", true)]
    [InlineData("Accept-Encoding", "", "Accept-Encoding: ", false)]
    [InlineData("Accept-Encoding", "Accept-Encoding: gzip", "", false)]
    [InlineData("Accept-Encoding, Accept-Language", "Accept-Language: de\nAccept-Encoding: gzip", "Accept-Encoding: gzip\nAccept-Language: de", true)]
    [InlineData("", "Accept-Encoding: gzip", "Accept-Encoding: br", true)]
    public void Matches_Normalisation_Rfc9111Sec4_1(string vary, string stored, string incoming, bool expected)
    {
        var spec = VarySpec.Parse(vary);
        var storedKey = VaryKey.Compute(spec, TestHeaders.Of(stored));
        Assert.Equal(expected, VaryKey.Matches(spec, storedKey, TestHeaders.Of(incoming)));
    }

    [Fact]
    public void Compute_CaseInsensitiveDictionaryLookup_Rfc9110Sec5_1()
    {
        var spec = VarySpec.Parse("accept-encoding");
        var headers = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase) { ["Accept-Encoding"] = "gzip" };
        Assert.Contains("gzip", VaryKey.Compute(spec, headers));
    }

    [Fact]
    public void Matches_LongValues_BeyondStackBuffer_Rfc9111Sec4_1()
    {
        var spec = VarySpec.Parse("User-Agent, Accept-Language");
        var longValue = new string('x', 2000);
        var stored = VaryKey.Compute(spec, TestHeaders.Of("User-Agent: " + longValue + "\nAccept-Language: de"));
        Assert.True(VaryKey.Matches(spec, stored, TestHeaders.Of("Accept-Language: DE\nUser-Agent: " + longValue)));
        Assert.False(VaryKey.Matches(spec, stored, TestHeaders.Of("Accept-Language: de\nUser-Agent: " + longValue + "y")));
    }
}
