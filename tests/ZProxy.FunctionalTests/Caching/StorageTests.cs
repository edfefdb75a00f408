using System.Net;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>What is stored and reused (RFC 9111 §3, §4), checked through real sockets by counting origin requests.</summary>
public sealed class StorageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task FreshResponse_SecondRequestIsAHit_OriginSeesOne()
    {
        await using var f = await CacheFixture.StartAsync(Respond("public, max-age=60", "hello"), output);

        using var first = await f.GetAsync("/a");
        using var second = await f.GetAsync("/a");

        Assert.Equal(1, f.Origin.RequestCount);
        Assert.Equal("hello", await second.Content.ReadAsStringAsync());
        // ttl is 59 or 60: Date has whole seconds, so up to a second of apparent age (RFC 9111 §4.2.3).
        Assert.Matches("^ZProxy; fwd=uri-miss; fwd-status=200; ttl=(59|60); stored$", CacheAssert.Status(first));
        CacheAssert.Hit(second);
        Assert.NotNull(second.Headers.Age); // RFC 9111 §5.1: Age on every response from the cache
    }

    [Fact]
    public async Task Hit_AgeIncludesOriginAgeAndResidentTime()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            context.Response.Headers.Age = "100";
            return context.Response.WriteAsync("x");
        }, output);

        using (await f.GetAsync("/a"))
        {
        }

        f.Clock.Advance(TimeSpan.FromSeconds(30));
        using var hit = await f.GetAsync("/a");

        // RFC 9111 §4.2.3: corrected initial age (>= 100) plus 30 s resident.
        Assert.InRange(hit.Headers.Age!.Value.TotalSeconds, 130, 140);
        CacheAssert.Hit(hit);
    }

    [Theory]
    [InlineData("no-store")]
    [InlineData("private, max-age=60")]
    [InlineData("max-age=60, no-store")]
    public async Task ForbiddenResponse_IsNeverStored(string cacheControl)
    {
        await using var f = await CacheFixture.StartAsync(Respond(cacheControl, "secret"), output);

        using var first = await f.GetAsync("/a");
        using var second = await f.GetAsync("/a");

        Assert.Equal(2, f.Origin.RequestCount);
        CacheAssert.NotHit(second);
    }

    [Fact]
    public async Task RequestNoStore_IsNotStored()
    {
        await using var f = await CacheFixture.StartAsync(Respond("max-age=60", "x"), output);

        using (await f.GetAsync("/a", r => r.Headers.CacheControl = new() { NoStore = true }))
        {
        }

        using var second = await f.GetAsync("/a");
        Assert.Equal(2, f.Origin.RequestCount);
    }

    [Theory]
    [InlineData("max-age=60", false)]
    [InlineData("public, max-age=60", true)]
    [InlineData("s-maxage=60", true)]
    [InlineData("max-age=60, must-revalidate", true)]
    public async Task AuthorizedRequest_StoredOnlyWhenResponseAllows(string cacheControl, bool stored)
    {
        // RFC 9111 §3.5
        await using var f = await CacheFixture.StartAsync(Respond(cacheControl, "x"), output);
        void Authorize(HttpRequestMessage r) => r.Headers.Authorization = new("Bearer", "t");

        using (await f.GetAsync("/a", Authorize))
        {
        }

        using var second = await f.GetAsync("/a", Authorize);
        Assert.Equal(stored ? 1 : 2, f.Origin.RequestCount);
    }

    [Fact]
    public async Task SetCookieResponse_NotStoredByDefault()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.Headers.SetCookie = "session=abc";
            return context.Response.WriteAsync("x");
        }, output);

        using (await f.GetAsync("/a"))
        {
        }

        using var second = await f.GetAsync("/a");
        Assert.Equal(2, f.Origin.RequestCount);
        Assert.Contains("session=abc", second.Headers.GetValues("Set-Cookie"));
    }

    [Fact]
    public async Task NoFreshnessAndNoValidator_IsNotStored_NoFreshnessInvented()
    {
        await using var f = await CacheFixture.StartAsync(context => context.Response.WriteAsync("x"), output);

        using (await f.GetAsync("/a"))
        {
        }

        using var second = await f.GetAsync("/a");
        Assert.Equal(2, f.Origin.RequestCount);
    }

    [Fact]
    public async Task LastModifiedOnly_HeuristicFreshness_IsAHit()
    {
        // RFC 9111 §4.2.2: 10 % of the time since Last-Modified (here 10 days → 1 day, the cap).
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.LastModified = DateTimeOffset.UtcNow.AddDays(-10).ToString("R");
            return context.Response.WriteAsync("news");
        }, output);

        using (await f.GetAsync("/news"))
        {
        }

        f.Clock.Advance(TimeSpan.FromHours(1));
        using var second = await f.GetAsync("/news");
        Assert.Equal(1, f.Origin.RequestCount);
        CacheAssert.Hit(second);
    }

    [Fact]
    public async Task SMaxAge_OverridesMaxAge_ForTheSharedCache()
    {
        await using var f = await CacheFixture.StartAsync(Respond("max-age=0, s-maxage=60", "x"), output);

        using (await f.GetAsync("/a"))
        {
        }

        using var second = await f.GetAsync("/a");
        Assert.Equal(1, f.Origin.RequestCount);
    }

    [Theory]
    [InlineData("ZProxy-Cache-Control")]
    [InlineData("CDN-Cache-Control")]
    public async Task TargetedCacheControl_TakesPrecedence(string field)
    {
        // RFC 9213: a targeted field replaces Cache-Control for the caches it targets.
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers[field] = "max-age=60";
            return context.Response.WriteAsync("x");
        }, output);

        using (await f.GetAsync("/a"))
        {
        }

        using var second = await f.GetAsync("/a");
        Assert.Equal(1, f.Origin.RequestCount);
        CacheAssert.Hit(second);
        Assert.Equal(field == "ZProxy-Cache-Control", !second.Headers.Contains(field)); // ZProxy's own field stops here
    }

    [Fact]
    public async Task ExpiredWithoutValidator_IsFetchedAgain()
    {
        await using var f = await CacheFixture.StartAsync(Respond("max-age=10", "x"), output);

        using (await f.GetAsync("/a"))
        {
        }

        f.Clock.Advance(TimeSpan.FromSeconds(11));
        using var second = await f.GetAsync("/a");

        Assert.Equal(2, f.Origin.RequestCount);
        CacheAssert.NotHit(second);
    }

    [Fact]
    public async Task QueryString_IsPartOfTheKey()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteAsync(context.Request.QueryString.Value ?? "");
        }, output);

        using var a = await f.GetAsync("/a?x=1");
        using var b = await f.GetAsync("/a?x=2");
        using var a2 = await f.GetAsync("/a?x=1");

        Assert.Equal(2, f.Origin.RequestCount);
        Assert.Equal("?x=1", await a2.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NotFound_IsCacheableByDefault_WithExplicitFreshness()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.StatusCode = 404;
            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteAsync("missing");
        }, output);

        using (await f.GetAsync("/gone"))
        {
        }

        using var second = await f.GetAsync("/gone");
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.Equal(1, f.Origin.RequestCount);
    }

    [Fact]
    public async Task MaxObjectSize_LargerBodiesPassThrough()
    {
        var body = new string('x', 10_000);
        await using var f = await CacheFixture.StartAsync(Respond("max-age=60", body), output,
            new() { ["ZProxy:Cache:Default:MaxObjectSize"] = "4096" });

        using (await f.GetAsync("/big"))
        {
        }

        using var second = await f.GetAsync("/big");
        Assert.Equal(2, f.Origin.RequestCount);
        Assert.Equal(body, await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CacheDisabledForRoute_ByMetadata_Bypasses()
    {
        await using var f = await CacheFixture.StartAsync(Respond("max-age=60", "x"), output,
            new() { ["ReverseProxy:Routes:all:Metadata:ZProxy.CachePolicy"] = "off" });

        using (await f.GetAsync("/a"))
        {
        }

        using var second = await f.GetAsync("/a");
        Assert.Equal(2, f.Origin.RequestCount);
        Assert.Equal("ZProxy; fwd=bypass", CacheAssert.Status(second));
    }

    [Fact]
    public async Task NamedPolicy_FromRouteMetadata_Applies()
    {
        await using var f = await CacheFixture.StartAsync(context => context.Response.WriteAsync("no headers"), output, new()
        {
            ["ReverseProxy:Routes:all:Metadata:ZProxy.CachePolicy"] = "static",
            ["ZProxy:Cache:Policies:static:DefaultTtl"] = "00:05:00",
        });

        using (await f.GetAsync("/a"))
        {
        }

        using var second = await f.GetAsync("/a");
        Assert.Equal(1, f.Origin.RequestCount);
        CacheAssert.Hit(second);
    }

    internal static Func<HttpContext, Task> Respond(string cacheControl, string body) => context =>
    {
        context.Response.Headers.CacheControl = cacheControl;
        return context.Response.WriteAsync(body);
    };
}
