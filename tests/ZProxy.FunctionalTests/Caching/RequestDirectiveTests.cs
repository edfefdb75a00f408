using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>Request cache directives honoured as a shared cache should (RFC 9111 §5.2.1).</summary>
public sealed class RequestDirectiveTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RequestNoCache_RevalidatesWithOrigin()
    {
        await using var f = await CacheFixture.StartAsync(WithETag(), output);
        using (await f.GetAsync("/r"))
        {
        }

        using var response = await f.GetAsync("/r", r => r.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true });

        Assert.Equal(2, f.Origin.RequestCount);
        Assert.Equal("\"e\"", f.Origin.Received[1].Header("If-None-Match"));
        Assert.Equal("content", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PragmaNoCache_WithoutCacheControl_RevalidatesWithOrigin()
    {
        await using var f = await CacheFixture.StartAsync(WithETag(), output);
        using (await f.GetAsync("/r"))
        {
        }

        using var response = await f.GetAsync("/r", r => r.Headers.Pragma.Add(new NameValueHeaderValue("no-cache")));

        Assert.Equal(2, f.Origin.RequestCount);
    }

    [Fact]
    public async Task RequestMaxAge_OlderEntryIsNotServed()
    {
        await using var f = await CacheFixture.StartAsync(WithETag(), output);
        using (await f.GetAsync("/r"))
        {
        }

        f.Clock.Advance(TimeSpan.FromSeconds(30));
        using var young = await f.GetAsync("/r", r => r.Headers.CacheControl = new CacheControlHeaderValue { MaxAge = TimeSpan.FromSeconds(60) });
        using var old = await f.GetAsync("/r", r => r.Headers.CacheControl = new CacheControlHeaderValue { MaxAge = TimeSpan.FromSeconds(10) });

        CacheAssert.Hit(young);
        CacheAssert.NotHit(old);
        Assert.Equal(2, f.Origin.RequestCount);
    }

    [Fact]
    public async Task RequestMinFresh_EntryExpiringSoonIsNotServed()
    {
        await using var f = await CacheFixture.StartAsync(WithETag(), output);
        using (await f.GetAsync("/r"))
        {
        }

        f.Clock.Advance(TimeSpan.FromSeconds(50)); // 10 s of freshness left
        using var response = await f.GetAsync("/r", r => r.Headers.CacheControl = new CacheControlHeaderValue { MinFresh = TimeSpan.FromSeconds(30) });

        CacheAssert.NotHit(response);
        Assert.Equal(2, f.Origin.RequestCount);
    }

    [Fact]
    public async Task RequestMaxStale_StaleEntryIsServed()
    {
        await using var f = await CacheFixture.StartAsync(WithETag(), output);
        using (await f.GetAsync("/r"))
        {
        }

        f.Clock.Advance(TimeSpan.FromSeconds(90)); // 30 s stale
        using var response = await f.GetAsync("/r", r => r.Headers.CacheControl = new CacheControlHeaderValue { MaxStale = true, MaxStaleLimit = TimeSpan.FromSeconds(60) });

        CacheAssert.Hit(response);
        Assert.Equal(1, f.Origin.RequestCount);
        Assert.InRange(response.Headers.Age!.Value.TotalSeconds, 90, 92);
    }

    private static Func<HttpContext, Task> WithETag() => context =>
    {
        context.Response.Headers.CacheControl = "max-age=60";
        context.Response.Headers.ETag = "\"e\"";
        if (context.Request.Headers.IfNoneMatch == "\"e\"")
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        return context.Response.WriteAsync("content");
    };
}
