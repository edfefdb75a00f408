using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Xunit.Abstractions;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>HEAD, Range and Vary answered from a stored GET (RFC 9110 §9.3.2, §14; RFC 9111 §4.1).</summary>
public sealed class ResponseShapeTests(ITestOutputHelper output)
{
    private static readonly byte[] Body = RandomNumberGenerator.GetBytes(100_000);

    [Fact]
    public async Task Head_FromStoredGet_HasHeadersNoBody()
    {
        await using var f = await CacheFixture.StartAsync(Bytes("max-age=60"), output);
        using (await f.GetAsync("/b"))
        {
        }

        using var head = await f.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/b"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(Body.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        CacheAssert.Hit(head);
        Assert.Equal(1, f.Origin.RequestCount);
    }

    [Theory]
    [InlineData("bytes=0-99", 0, 100)]
    [InlineData("bytes=99990-", 99_990, 10)]
    [InlineData("bytes=-5", 99_995, 5)]
    [InlineData("bytes=50000-50000", 50_000, 1)]
    public async Task Range_FromStoredBody_Answers206(string range, int start, int length)
    {
        await using var f = await CacheFixture.StartAsync(Bytes("max-age=60"), output);
        using (await f.GetAsync("/b"))
        {
        }

        using var partial = await f.GetAsync("/b", r => r.Headers.TryAddWithoutValidation("Range", range));

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(Body.AsSpan(start, length).ToArray(), await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes {start}-{start + length - 1}/{Body.Length}", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal(1, f.Origin.RequestCount);
    }

    [Fact]
    public async Task MultipleRanges_FromStoredBody_AnswerMultipartByteranges()
    {
        await using var f = await CacheFixture.StartAsync(Bytes("max-age=60"), output);
        using (await f.GetAsync("/b"))
        {
        }

        // Out of order, one unsatisfiable: sorted, the unsatisfiable one dropped (RFC 9110 §14.1.1, §14.6).
        using var partial = await f.GetAsync("/b", r => r.Headers.TryAddWithoutValidation("Range", "bytes=50000-50099, -10, 0-99, 200000-"));

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Null(partial.Content.Headers.ContentRange);
        var contentType = partial.Content.Headers.ContentType!;
        Assert.Equal("multipart/byteranges", contentType.MediaType);
        var boundary = contentType.Parameters.Single(p => p.Name == "boundary").Value!;
        var body = await partial.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, partial.Content.Headers.ContentLength);

        var reader = new MultipartReader(boundary, new MemoryStream(body));
        var expected = new[] { (Start: 0, Length: 100), (Start: 50_000, Length: 100), (Start: 99_990, Length: 10) };
        foreach (var (start, length) in expected)
        {
            var section = await reader.ReadNextSectionAsync();
            Assert.NotNull(section);
            Assert.Equal($"bytes {start}-{start + length - 1}/{Body.Length}", section.Headers!["Content-Range"].ToString());
            Assert.Equal("application/octet-stream", section.ContentType);
            using var part = new MemoryStream();
            await section.Body.CopyToAsync(part);
            Assert.Equal(Body.AsSpan(start, length).ToArray(), part.ToArray());
        }

        Assert.Null(await reader.ReadNextSectionAsync());
        CacheAssert.Hit(partial);
        Assert.Equal(1, f.Origin.RequestCount);

        // The connection is still good for the next request.
        using var next = await f.GetAsync("/b", r => r.Headers.TryAddWithoutValidation("Range", "bytes=10-19"));
        Assert.Equal(Body.AsSpan(10, 10).ToArray(), await next.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task UnsatisfiableRange_Answers416()
    {
        await using var f = await CacheFixture.StartAsync(Bytes("max-age=60"), output);
        using (await f.GetAsync("/b"))
        {
        }

        using var response = await f.GetAsync("/b", r => r.Headers.TryAddWithoutValidation("Range", "bytes=200000-"));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{Body.Length}", response.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task IfRangeMismatch_AnswersFull200()
    {
        await using var f = await CacheFixture.StartAsync(Bytes("max-age=60"), output);
        using (await f.GetAsync("/b"))
        {
        }

        using var response = await f.GetAsync("/b", r =>
        {
            r.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
            r.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"old\""));
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Body.Length, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Vary_StoresOneVariantPerHeaderValue()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.Headers.Vary = "Accept-Language";
            return context.Response.WriteAsync("lang=" + context.Request.Headers.AcceptLanguage);
        }, output);
        void English(HttpRequestMessage r) => r.Headers.TryAddWithoutValidation("Accept-Language", "en");
        void French(HttpRequestMessage r) => r.Headers.TryAddWithoutValidation("Accept-Language", "fr");

        using var en1 = await f.GetAsync("/v", English);
        using var fr1 = await f.GetAsync("/v", French);
        using var en2 = await f.GetAsync("/v", English);
        using var fr2 = await f.GetAsync("/v", French);

        Assert.Equal(2, f.Origin.RequestCount);
        Assert.Equal("lang=en", await en2.Content.ReadAsStringAsync());
        Assert.Equal("lang=fr", await fr2.Content.ReadAsStringAsync());
        CacheAssert.Hit(en2);
        CacheAssert.Hit(fr2);
        Assert.Contains("fwd=vary-miss", CacheAssert.Status(fr1));
    }

    [Fact]
    public async Task VaryStar_NeverMatches()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.Headers.Vary = "*";
            return context.Response.WriteAsync("x");
        }, output);

        using (await f.GetAsync("/v"))
        {
        }

        using var second = await f.GetAsync("/v");
        Assert.Equal(2, f.Origin.RequestCount);
    }

    private static Func<HttpContext, Task> Bytes(string cacheControl) => async context =>
    {
        context.Response.Headers.CacheControl = cacheControl;
        context.Response.Headers.ETag = "\"b\"";
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = Body.Length;
        await context.Response.Body.WriteAsync(Body);
    };
}
