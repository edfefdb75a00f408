using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>Revalidation with the origin (RFC 9111 §4.3) and conditional requests answered from the cache (RFC 9110 §13).</summary>
public sealed class ValidationTests(ITestOutputHelper output)
{
    private const string ETag = "\"v1\"";

    [Fact]
    public async Task StaleWithETag_RevalidatedWith304_BodyFromCache_HeadersUpdated()
    {
        var requests = 0;
        await using var f = await CacheFixture.StartAsync(context =>
        {
            requests++;
            if (context.Request.Headers.IfNoneMatch == ETag)
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                context.Response.Headers.ETag = ETag;
                context.Response.Headers.CacheControl = "max-age=120";
                context.Response.Headers["X-Version"] = "2";
                return Task.CompletedTask;
            }

            context.Response.Headers.ETag = ETag;
            context.Response.Headers.CacheControl = "max-age=10";
            context.Response.Headers["X-Version"] = "1";
            return context.Response.WriteAsync("body v1");
        }, output);

        using (await f.GetAsync("/r"))
        {
        }

        f.Clock.Advance(TimeSpan.FromSeconds(11));
        using var revalidated = await f.GetAsync("/r");

        Assert.Equal(HttpStatusCode.OK, revalidated.StatusCode);
        Assert.Equal("body v1", await revalidated.Content.ReadAsStringAsync());
        Assert.Equal(ETag, f.Origin.Received[1].Header("If-None-Match"));
        Assert.Matches("^ZProxy; fwd=stale; fwd-status=304", CacheAssert.Status(revalidated));

        // RFC 9111 §4.3.4: the 304's fields replaced the stored ones, so the new max-age=120 applies.
        Assert.Equal("2", Assert.Single(revalidated.Headers.GetValues("X-Version")));
        f.Clock.Advance(TimeSpan.FromSeconds(60));
        using var hit = await f.GetAsync("/r");
        CacheAssert.Hit(hit);
        Assert.Equal("2", Assert.Single(hit.Headers.GetValues("X-Version")));
        Assert.Equal(2, requests);
    }

    [Fact]
    public async Task StaleWithLastModified_RevalidatedWithIfModifiedSince()
    {
        var lastModified = DateTimeOffset.UtcNow.AddDays(-1).ToString("R");
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.LastModified = lastModified;
            context.Response.Headers.CacheControl = "max-age=5";
            if (context.Request.Headers.IfModifiedSince == lastModified)
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }

            return context.Response.WriteAsync("dated");
        }, output);

        using (await f.GetAsync("/d"))
        {
        }

        f.Clock.Advance(TimeSpan.FromSeconds(6));
        using var second = await f.GetAsync("/d");

        Assert.Equal("dated", await second.Content.ReadAsStringAsync());
        Assert.Equal(lastModified, f.Origin.Received[1].Header("If-Modified-Since"));
    }

    [Fact]
    public async Task StaleRevalidatedWith200_ReplacesStoredResponse()
    {
        var version = 0;
        await using var f = await CacheFixture.StartAsync(context =>
        {
            version++;
            context.Response.Headers.ETag = $"\"v{version}\"";
            context.Response.Headers.CacheControl = "max-age=10";
            return context.Response.WriteAsync($"body v{version}");
        }, output);

        using (await f.GetAsync("/r"))
        {
        }

        f.Clock.Advance(TimeSpan.FromSeconds(11));
        using var second = await f.GetAsync("/r");
        using var third = await f.GetAsync("/r");

        Assert.Equal("body v2", await second.Content.ReadAsStringAsync());
        Assert.Equal("body v2", await third.Content.ReadAsStringAsync());
        CacheAssert.Hit(third);
        Assert.Equal(2, f.Origin.RequestCount);
    }

    [Fact]
    public async Task NoCacheResponse_IsStoredButRevalidatedEveryTime()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.ETag = ETag;
            context.Response.Headers.CacheControl = "no-cache";
            if (context.Request.Headers.IfNoneMatch == ETag)
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }

            return context.Response.WriteAsync("always check");
        }, output);

        using (await f.GetAsync("/n"))
        {
        }

        using var second = await f.GetAsync("/n");

        Assert.Equal(2, f.Origin.RequestCount);
        Assert.Equal(ETag, f.Origin.Received[1].Header("If-None-Match"));
        Assert.Equal("always check", await second.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("\"v1\"", HttpStatusCode.NotModified)]
    [InlineData("W/\"v1\"", HttpStatusCode.NotModified)] // weak comparison (RFC 9110 §13.1.2)
    [InlineData("\"other\", \"v1\"", HttpStatusCode.NotModified)]
    [InlineData("*", HttpStatusCode.NotModified)]
    [InlineData("\"other\"", HttpStatusCode.OK)]
    public async Task ClientIfNoneMatch_AnsweredFromCache(string ifNoneMatch, HttpStatusCode expected)
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.ETag = ETag;
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync("content");
        }, output);

        using (await f.GetAsync("/c"))
        {
        }

        using var response = await f.GetAsync("/c", r => r.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(1, f.Origin.RequestCount);
        if (expected == HttpStatusCode.NotModified)
        {
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(ETag, response.Headers.ETag?.ToString());
            Assert.Null(response.Content.Headers.ContentType);
            Assert.NotNull(response.Headers.Age);
        }
    }

    [Fact]
    public async Task ClientIfModifiedSince_AnsweredFromCache()
    {
        var lastModified = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.LastModified = lastModified.ToString("R");
            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteAsync("x");
        }, output);

        using (await f.GetAsync("/m"))
        {
        }

        using var notModified = await f.GetAsync("/m", r => r.Headers.IfModifiedSince = lastModified);
        using var modified = await f.GetAsync("/m", r => r.Headers.IfModifiedSince = lastModified.AddDays(-1));

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
        Assert.Equal(1, f.Origin.RequestCount);
    }

    [Fact]
    public async Task ClientConditionalOnMiss_IsNotPassedToOrigin_FullResponseStored()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.ETag = ETag;
            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteAsync("full");
        }, output);

        using var first = await f.GetAsync("/c", r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(ETag)));
        using var second = await f.GetAsync("/c");

        Assert.Null(f.Origin.Received[0].Header("If-None-Match"));
        Assert.Equal("full", await second.Content.ReadAsStringAsync());
        CacheAssert.Hit(second);
    }
}
