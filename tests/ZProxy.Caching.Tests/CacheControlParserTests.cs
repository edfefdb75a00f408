using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Tests;

public class CacheControlParserTests
{
    // RFC 9111 §5.2: directives are case-insensitive; token and quoted-string arguments both accepted.
    [Theory]
    [InlineData("max-age=60", 60)]
    [InlineData("MAX-AGE=60", 60)]
    [InlineData("max-age=\"60\"", 60)]
    [InlineData("  max-age=60  ", 60)]
    [InlineData("public, max-age=60", 60)]
    [InlineData("max-age = 60", 60)]
    [InlineData("max-age=0", 0)]
    public void Parse_MaxAgeForms_Rfc9111Sec5_2(string value, int expected)
    {
        var d = CacheControlParser.Parse(value);
        Assert.Equal(expected, d.MaxAge);
        Assert.False(d.HasFlag(CacheDirectiveFlags.InvalidFreshness));
        Assert.Equal(CacheControlSource.CacheControl, d.Source);
    }

    // RFC 9111 §4.2.1: invalid freshness information (e.g. non-integer max-age) => treat as stale.
    [Theory]
    [InlineData("max-age=")]
    [InlineData("max-age")]
    [InlineData("max-age=abc")]
    [InlineData("max-age=-1")]
    [InlineData("max-age=1.5")]
    [InlineData("max-age=60abc")]
    [InlineData("max-age=\"\"")]
    public void Parse_MaxAgeGarbage_StaleAndFlagged_Rfc9111Sec4_2_1(string value)
    {
        var d = CacheControlParser.Parse(value);
        Assert.Equal(0, d.MaxAge);
        Assert.True(d.HasFlag(CacheDirectiveFlags.InvalidFreshness));
    }

    // RFC 9111 §1.2.2: delta-seconds beyond the representable range become 2^31 (or the largest representable integer).
    [Theory]
    [InlineData("max-age=2147483648", int.MaxValue)]
    [InlineData("max-age=99999999999999999999999", int.MaxValue)]
    [InlineData("s-maxage=4294967296", int.MaxValue)]
    public void Parse_Overflow_ClampsToLargestInteger_Rfc9111Sec1_2_2(string value, int expected)
    {
        var d = CacheControlParser.Parse(value);
        Assert.Equal(expected, d.MaxAge ?? d.SharedMaxAge);
    }

    // RFC 9111 §4.2.1: conflicting duplicates => first or stale; ZProxy chooses stale (restrictive).
    [Theory]
    [InlineData("max-age=60, max-age=120", 0, true)]
    [InlineData("max-age=60, max-age=60", 60, false)]
    [InlineData("max-age=60\nmax-age=120", 0, true)]
    [InlineData("max-age=60, max-age=abc", 0, true)]
    public void Parse_DuplicateMaxAge_MostRestrictive_Rfc9111Sec4_2_1(string lines, int expected, bool invalid)
    {
        var d = CacheControlParser.Parse(new StringValues(lines.Split('\n')));
        Assert.Equal(expected, d.MaxAge);
        Assert.Equal(invalid, d.HasFlag(CacheDirectiveFlags.InvalidFreshness));
    }

    // RFC 9111 §4.2.1 "most restrictive directive": min-fresh takes the larger, max-stale/stale-* the smaller.
    [Theory]
    [InlineData("min-fresh=5, min-fresh=10", "min-fresh", 10)]
    [InlineData("max-stale=5, max-stale=10", "max-stale", 5)]
    [InlineData("max-stale, max-stale=10", "max-stale", 10)]
    [InlineData("stale-while-revalidate=30, stale-while-revalidate=10", "swr", 10)]
    [InlineData("stale-if-error=30, stale-if-error=60", "sie", 30)]
    public void Parse_DuplicateRequestDirectives_MostRestrictive_Rfc9111Sec4_2_1(string value, string which, int expected)
    {
        var d = CacheControlParser.Parse(value);
        int? actual = which switch
        {
            "min-fresh" => d.MinFresh,
            "max-stale" => d.MaxStale,
            "swr" => d.StaleWhileRevalidate,
            _ => d.StaleIfError,
        };
        Assert.Equal(expected, actual);
        Assert.False(d.MaxStaleAny);
    }

    // RFC 9111 §5.2.1.2: max-stale without a value accepts any staleness.
    [Fact]
    public void Parse_MaxStaleWithoutValue_Any_Rfc9111Sec5_2_1_2()
    {
        var d = CacheControlParser.Parse("max-stale");
        Assert.True(d.MaxStaleAny);
        Assert.Null(d.MaxStale);
    }

    // RFC 9111 §5.2 / RFC 9110 §5.6.4: commas inside quoted strings do not split directives.
    [Fact]
    public void Parse_QuotedValueWithCommas_NotSplit_Rfc9111Sec5_2()
    {
        var d = CacheControlParser.Parse("no-cache=\"Set-Cookie, X-Foo\", max-age=60, private=\"X-Bar\"");
        Assert.False(d.NoCache);
        Assert.False(d.Private);
        Assert.Equal(new[] { "Set-Cookie", "X-Foo" }, d.NoCacheFields!);
        Assert.Equal(new[] { "X-Bar" }, d.PrivateFields!);
        Assert.Equal(60, d.MaxAge);
    }

    // RFC 9111 §5.2.2.4: the unqualified form dominates a qualified one.
    [Theory]
    [InlineData("no-cache, no-cache=\"Set-Cookie\"")]
    [InlineData("no-cache=\"\"")]
    [InlineData("no-cache")]
    public void Parse_NoCacheUnqualifiedOrEmpty_Unqualified_Rfc9111Sec5_2_2_4(string value)
    {
        var d = CacheControlParser.Parse(value);
        Assert.True(d.NoCache);
        Assert.Null(d.NoCacheFields);
    }

    [Theory]
    [InlineData("no-store", CacheDirectiveFlags.NoStore)]
    [InlineData("No-Store", CacheDirectiveFlags.NoStore)]
    [InlineData("public", CacheDirectiveFlags.Public)]
    [InlineData("private", CacheDirectiveFlags.Private)]
    [InlineData("must-revalidate", CacheDirectiveFlags.MustRevalidate)]
    [InlineData("proxy-revalidate", CacheDirectiveFlags.ProxyRevalidate)]
    [InlineData("no-transform", CacheDirectiveFlags.NoTransform)]
    [InlineData("only-if-cached", CacheDirectiveFlags.OnlyIfCached)]
    [InlineData("must-understand", CacheDirectiveFlags.MustUnderstand)]
    [InlineData("immutable", CacheDirectiveFlags.Immutable)]
    [InlineData("no-store=whatever", CacheDirectiveFlags.NoStore)]
    [InlineData(",,, no-store ,,", CacheDirectiveFlags.NoStore)]
    public void Parse_Flags_Recognised_Rfc9111Sec5_2(string value, CacheDirectiveFlags flag)
    {
        Assert.True(CacheControlParser.Parse(value).HasFlag(flag));
    }

    // RFC 9111 §5.2.3: unknown extensions are ignored, including quoted ones that hide directive names.
    [Fact]
    public void Parse_UnknownExtensionWithQuotedDirective_Ignored_Rfc9111Sec5_2_3()
    {
        var d = CacheControlParser.Parse("community=\"no-store, max-age=5\", max-age=30");
        Assert.False(d.NoStore);
        Assert.Equal(30, d.MaxAge);
    }

    [Fact]
    public void Parse_StaleDirectives_Rfc5861()
    {
        var d = CacheControlParser.Parse("max-age=1, stale-while-revalidate=59, stale-if-error=86400");
        Assert.Equal(59, d.StaleWhileRevalidate);
        Assert.Equal(86400, d.StaleIfError);
    }

    // RFC 9213 §2.2: the first valid targeted field wins over Cache-Control.
    [Theory]
    [InlineData("Cache-Control: max-age=10\nCDN-Cache-Control: max-age=20", 20, "CDN-Cache-Control")]
    [InlineData("Cache-Control: max-age=10\nCDN-Cache-Control: max-age=20\nZProxy-Cache-Control: max-age=30", 30, "ZProxy-Cache-Control")]
    [InlineData("Cache-Control: max-age=10\nZProxy-Cache-Control: Max-Age=30\nCDN-Cache-Control: max-age=20", 20, "CDN-Cache-Control")]
    [InlineData("Cache-Control: max-age=10\nCDN-Cache-Control: max-age=20,", 10, "Cache-Control")]
    [InlineData("Cache-Control: max-age=10\nCDN-Cache-Control: ", 10, "Cache-Control")]
    [InlineData("Cache-Control: max-age=10\nCDN-Cache-Control: max-age=\"20", 10, "Cache-Control")]
    [InlineData("Cache-Control: max-age=10\nCDN-Cache-Control: max-age=20, max-age=40", 40, "CDN-Cache-Control")]
    public void ParseResponse_TargetedFields_Precedence_Rfc9213Sec2_2(string lines, int expected, string field)
    {
        var d = CacheControlParser.ParseResponse(TestHeaders.Of(lines));
        Assert.Equal(expected, d.MaxAge);
        Assert.Equal(field, d.FieldName);
    }

    // RFC 9213 §2.1: targeted values are RFC 8941 dictionaries: booleans, integers, strings; ?0 turns off.
    [Fact]
    public void ParseResponse_TargetedDictionaryTypes_Rfc9213Sec2_1()
    {
        var h = TestHeaders.Of("CDN-Cache-Control: no-store=?0, must-revalidate, s-maxage=5;foo=bar, private=\"Set-Cookie\", max-stale=?1");
        var d = CacheControlParser.ParseResponse(h);
        Assert.False(d.NoStore);
        Assert.True(d.MustRevalidate);
        Assert.Equal(5, d.SharedMaxAge);
        Assert.Equal(new[] { "Set-Cookie" }, d.PrivateFields!);
        Assert.True(d.MaxStaleAny);
        Assert.Equal(CacheControlSource.Targeted, d.Source);
    }

    // RFC 9213 §2.1 + RFC 8941: max-age must be an Integer; a string or decimal is an invalid value (stale).
    [Theory]
    [InlineData("max-age=\"60\"")]
    [InlineData("max-age=1.5")]
    [InlineData("max-age=-5")]
    public void ParseResponse_TargetedMaxAgeWrongType_Stale_Rfc9213Sec2_1(string value)
    {
        var d = CacheControlParser.ParseResponse(TestHeaders.Of("CDN-Cache-Control: " + value));
        Assert.Equal(0, d.MaxAge);
        Assert.True(d.HasFlag(CacheDirectiveFlags.InvalidFreshness));
    }

    [Fact]
    public void ParseResponse_CustomTargetedList_Rfc9213Sec2_2()
    {
        var h = TestHeaders.Of("Cache-Control: max-age=10\nAkamai-Cache-Control: max-age=99\nCDN-Cache-Control: max-age=20");
        Assert.Equal(99, CacheControlParser.ParseResponse(h, ["Akamai-Cache-Control"]).MaxAge);
    }

    // RFC 9111 §5.4: Pragma: no-cache counts only when Cache-Control is absent.
    [Theory]
    [InlineData("Pragma: no-cache", true, CacheControlSource.Pragma)]
    [InlineData("Pragma: foo, No-Cache", true, CacheControlSource.Pragma)]
    [InlineData("Pragma: no-cache\nCache-Control: max-age=5", false, CacheControlSource.CacheControl)]
    [InlineData("Pragma: foo", false, CacheControlSource.None)]
    [InlineData("CDN-Cache-Control: no-cache", false, CacheControlSource.None)]
    public void ParseRequest_Pragma_Rfc9111Sec5_4(string lines, bool noCache, CacheControlSource source)
    {
        var d = CacheControlParser.ParseRequest(TestHeaders.Of(lines));
        Assert.Equal(noCache, d.NoCache);
        Assert.Equal(source, d.Source);
    }

    [Fact]
    public void Parse_Empty_Default()
    {
        Assert.False(CacheControlParser.Parse(StringValues.Empty).IsPresent);
        Assert.Equal(default, CacheControlParser.ParseResponse(TestHeaders.Of(null)));
    }

    // An unterminated quoted string swallows the rest of the field; the damaged directive is read restrictively.
    [Fact]
    public void Parse_UnterminatedQuote_RestrictiveReading_Rfc9111Sec4_2_1()
    {
        var d = CacheControlParser.Parse("no-cache=\"foo, max-age=60");
        Assert.True(d.NoCache);
        Assert.Null(d.MaxAge);
    }

    // RFC 9110 §5.3: field lines combine as if comma-joined.
    [Fact]
    public void Parse_MultipleFieldLines_Combined_Rfc9110Sec5_3()
    {
        var d = CacheControlParser.Parse(new StringValues(["public", "max-age=60", "", "s-maxage=30"]));
        Assert.True(d.Public);
        Assert.Equal(60, d.MaxAge);
        Assert.Equal(30, d.SharedMaxAge);
    }
}
