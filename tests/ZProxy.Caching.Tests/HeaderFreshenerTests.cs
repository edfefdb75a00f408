using ZProxy.Caching.Storage;
using ZProxy.Caching.Validation;

namespace ZProxy.Caching.Tests;

public class HeaderFreshenerTests
{
    // RFC 9111 §3.2 / §4.3.4: the 304's fields replace the stored ones, except the excluded ones.
    [Theory]
    [InlineData("Cache-Control", "max-age=600")]
    [InlineData("Date", "Thu, 01 Jan 2026 00:10:00 GMT")]
    [InlineData("ETag", "\"v1\"")]
    [InlineData("X-Custom", "new")]
    [InlineData("Content-Type", "text/plain")]
    [InlineData("Content-Length", "10")]
    [InlineData("Content-Encoding", "gzip")]
    [InlineData("Transfer-Encoding", null)]
    [InlineData("Content-Range", null)]
    [InlineData("Connection", null)]
    [InlineData("X-Hop", null)]
    [InlineData("Set-Cookie", null)]
    [InlineData("Vary", "Accept-Encoding")]
    public void Freshen_ReplacesAllButExcluded_Rfc9111Sec3_2(string field, string? expected)
    {
        var stored = TestHeaders.Of("Cache-Control: max-age=60\nDate: Thu, 01 Jan 2026 00:00:00 GMT\nETag: \"v1\"\nX-Custom: old\nX-Custom: older\nContent-Type: text/plain\nContent-Length: 10\nContent-Encoding: gzip\nVary: Accept-Encoding");
        var notModified = TestHeaders.Of("Cache-Control: max-age=600\nDate: Thu, 01 Jan 2026 00:10:00 GMT\nETag: \"v1\"\nX-Custom: new\nContent-Length: 0\nContent-Encoding: br\nTransfer-Encoding: chunked\nContent-Range: bytes */10\nConnection: X-Hop\nX-Hop: 1\nSet-Cookie: s=1");
        var merged = HeaderFreshener.Freshen(stored, notModified, new CachePolicyOptions());
        if (expected is null)
        {
            Assert.False(merged.ContainsKey(field));
        }
        else
        {
            Assert.Equal(expected, merged[field].ToString());
        }
    }

    [Fact]
    public void Freshen_InputsUnchanged_AndMetadataRecomputed_Rfc9111Sec4_3_4()
    {
        var options = new CachePolicyOptions();
        var stored = TestHeaders.Of("Cache-Control: max-age=60\nDate: " + Times.At(0) + "\nETag: \"v1\"");
        var notModified = TestHeaders.Of("Cache-Control: max-age=600\nDate: " + Times.At(100));
        var merged = HeaderFreshener.Freshen(stored, notModified, options);
        Assert.Equal("max-age=60", stored["Cache-Control"].ToString());

        var meta = StoredResponseMetadata.Create(TestHeaders.Of(null), 200, merged, Times.T0.AddSeconds(100), Times.T0.AddSeconds(100), options);
        Assert.Equal(TimeSpan.FromSeconds(600), meta.Freshness.Lifetime);
        Assert.True(meta.IsFresh(Times.T0.AddSeconds(650)));
        Assert.Equal("\"v1\"", meta.ETag);
    }

    // A 304 newly carrying private="X" must not leave X in the shared copy (RFC 9111 §5.2.2.7).
    [Fact]
    public void Freshen_NewQualifiedPrivate_RemovesField_Rfc9111Sec5_2_2_7()
    {
        var stored = TestHeaders.Of("Cache-Control: max-age=60\nX-User: alice");
        var notModified = TestHeaders.Of("Cache-Control: max-age=60, private=\"X-User\"");
        Assert.False(HeaderFreshener.Freshen(stored, notModified, new CachePolicyOptions()).ContainsKey("X-User"));
    }

    [Fact]
    public void Freshen_SetCookieStoredWhenUnsafeOptIn()
    {
        var merged = HeaderFreshener.Freshen(TestHeaders.Of("A: 1"), TestHeaders.Of("Set-Cookie: s=1"), new CachePolicyOptions { SetCookie = SetCookieHandling.UnsafeStoreWithSetCookie });
        Assert.Equal("s=1", merged["Set-Cookie"].ToString());
    }

    // RFC 9111 §4.3.4: which stored response a 304 selects.
    [Theory]
    [InlineData("ETag: \"a\"", "ETag: \"a\"", true)]
    [InlineData("ETag: \"a\"", "ETag: \"b\"", false)]
    [InlineData("ETag: W/\"a\"", "ETag: W/\"a\"", true)]
    [InlineData("ETag: \"a\"", "ETag: W/\"a\"", true)]
    [InlineData("ETag: W/\"a\"", "ETag: \"a\"", false)]
    [InlineData("", "ETag: \"a\"", false)]
    [InlineData("Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT", "Last-Modified: Sunday, 06-Nov-94 08:49:37 GMT", true)]
    [InlineData("Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT", "Last-Modified: Sun, 06 Nov 1994 08:49:38 GMT", false)]
    [InlineData("", "", true)]
    [InlineData("ETag: \"a\"", "", false)]
    public void Selects_Rfc9111Sec4_3_4(string stored, string notModified, bool expected)
    {
        Assert.Equal(expected, HeaderFreshener.Selects(TestHeaders.Of(stored), TestHeaders.Of(notModified)));
    }

    // RFC 9111 §4.3.5: a HEAD 200 updates the stored GET only when validators and Content-Length agree.
    [Theory]
    [InlineData("ETag: \"a\"\nContent-Length: 10", "ETag: \"a\"\nContent-Length: 10", true)]
    [InlineData("ETag: \"a\"\nContent-Length: 10", "ETag: \"b\"\nContent-Length: 10", false)]
    [InlineData("ETag: \"a\"\nContent-Length: 10", "ETag: \"a\"\nContent-Length: 11", false)]
    [InlineData("ETag: \"a\"\nContent-Length: 10", "ETag: \"a\"", true)]
    [InlineData("Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT", "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT", true)]
    [InlineData("Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT", "Last-Modified: Sun, 06 Nov 1994 08:49:38 GMT", false)]
    [InlineData("", "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT", false)]
    [InlineData("ETag: \"a\"", "", true)]
    public void HeadResponseMatches_Rfc9111Sec4_3_5(string stored, string head, bool expected)
    {
        Assert.Equal(expected, HeaderFreshener.HeadResponseMatches(TestHeaders.Of(stored), TestHeaders.Of(head)));
    }

    // RFC 9111 §4.2.3 after §4.3.4: the freshened entry's age comes from the 304 exchange, not the original Age.
    [Theory]
    [InlineData("", null)]
    [InlineData("Age: 7", "7")]
    public void Freshen_AgeBelongsToThe304_Rfc9111Sec4_3_4(string notModifiedAge, string? expected)
    {
        var merged = HeaderFreshener.Freshen(TestHeaders.Of("Age: 500\nCache-Control: max-age=60"), TestHeaders.Of("Cache-Control: max-age=60\n" + notModifiedAge), new CachePolicyOptions());
        Assert.Equal(expected, merged.TryGetValue("Age", out var age) ? age.ToString() : null);
    }

    // RFC 9110 §6.6.1: a 304 without Date gets the time it was received, so the freshened entry is not "old".
    [Fact]
    public void Freshen_304WithoutDate_DateIsReceiveTime_Rfc9110Sec6_6_1()
    {
        var merged = HeaderFreshener.Freshen(TestHeaders.Of("Date: " + Times.At(0)), TestHeaders.Of("Cache-Control: max-age=60"), new CachePolicyOptions(), Times.T0.AddSeconds(500));
        Assert.Equal(Times.At(500), merged["Date"].ToString());
        var kept = HeaderFreshener.Freshen(TestHeaders.Of("Date: " + Times.At(0)), TestHeaders.Of("Date: " + Times.At(400)), new CachePolicyOptions(), Times.T0.AddSeconds(500));
        Assert.Equal(Times.At(400), kept["Date"].ToString());
    }
}
