using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>Invalidation by unsafe methods (RFC 9111 §4.4), PURGE, and the admin API (purge, soft purge, ban, tags).</summary>
public sealed class InvalidationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    [InlineData("FROB")]
    public async Task UnsafeMethodWithSuccess_InvalidatesTargetUri(string method)
    {
        await using var f = await CacheFixture.StartAsync(Counter(), output);
        using (await f.GetAsync("/item"))
        {
        }

        using (await f.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/item")))
        {
        }

        using var after = await f.GetAsync("/item");
        CacheAssert.NotHit(after);
        Assert.Equal(3, f.Origin.RequestCount);
    }

    [Fact]
    public async Task UnsafeMethodWithError_DoesNotInvalidate()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            if (context.Request.Method == "POST")
            {
                context.Response.StatusCode = 500;
                return Task.CompletedTask;
            }

            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteAsync("x");
        }, output);
        using (await f.GetAsync("/item"))
        {
        }

        using (await f.Client.PostAsync("/item", null))
        {
        }

        using var after = await f.GetAsync("/item");
        CacheAssert.Hit(after);
    }

    [Fact]
    public async Task LocationAndContentLocation_OfSameOrigin_AreInvalidated()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            if (context.Request.Method == "POST")
            {
                context.Response.StatusCode = 201;
                context.Response.Headers.Location = "/items/7";
                context.Response.Headers.ContentLocation = "/items/summary";
                return Task.CompletedTask;
            }

            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteAsync(context.Request.Path);
        }, output);
        using (await f.GetAsync("/items/7"))
        using (await f.GetAsync("/items/summary"))
        using (await f.GetAsync("/items/other"))
        {
        }

        using (await f.Client.PostAsync("/items", null))
        {
        }

        using var seven = await f.GetAsync("/items/7");
        using var summary = await f.GetAsync("/items/summary");
        using var other = await f.GetAsync("/items/other");
        CacheAssert.NotHit(seven);
        CacheAssert.NotHit(summary);
        CacheAssert.Hit(other);
    }

    [Fact]
    public async Task PurgeOnPublicPort_OffByDefault_IsForwardedToOrigin()
    {
        await using var f = await CacheFixture.StartAsync(Counter(), output);
        using var response = await f.Client.SendAsync(new HttpRequestMessage(new HttpMethod("PURGE"), "/item"));

        Assert.Equal("PURGE", Assert.Single(f.Origin.Received).Method);
    }

    [Fact]
    public async Task PurgeOnPublicPort_WhenOnAndAllowed_RemovesAllVariants()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.Headers.Vary = "Accept-Language";
            return context.Response.WriteAsync("x");
        }, output, new() { ["ZProxy:Cache:PurgeOnPublicPort"] = "true" });
        using (await f.GetAsync("/v", r => r.Headers.TryAddWithoutValidation("Accept-Language", "en")))
        using (await f.GetAsync("/v", r => r.Headers.TryAddWithoutValidation("Accept-Language", "fr")))
        {
        }

        using var purge = await f.Client.SendAsync(new HttpRequestMessage(new HttpMethod("PURGE"), "/v"));
        using var en = await f.GetAsync("/v", r => r.Headers.TryAddWithoutValidation("Accept-Language", "en"));

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        CacheAssert.NotHit(en);
        Assert.Equal(3, f.Origin.RequestCount);
    }

    [Fact]
    public async Task PurgeOnPublicPort_FromAddressNotAllowed_Is403()
    {
        await using var f = await CacheFixture.StartAsync(Counter(), output, new()
        {
            ["ZProxy:Cache:PurgeOnPublicPort"] = "true",
            ["ZProxy:Cache:PurgeAllowList:0"] = "192.0.2.0/24",
            ["ZProxy:Cache:PurgeAllowList:1"] = "192.0.2.1",
        });

        using var purge = await f.Client.SendAsync(new HttpRequestMessage(new HttpMethod("PURGE"), "/item"));

        Assert.Equal(HttpStatusCode.Forbidden, purge.StatusCode);
    }

    [Fact]
    public async Task AdminPurge_RemovesUrl()
    {
        await using var f = await CacheFixture.StartAsync(Counter(), output);
        using (await f.GetAsync("/item"))
        {
        }

        var purged = await AdminPostAsync(f, "/cache/purge?url=" + Uri.EscapeDataString(new Uri(f.Proxy.BaseAddress, "/item").ToString()));
        using var after = await f.GetAsync("/item");

        Assert.Equal(1, purged.GetProperty("purged").GetInt32());
        CacheAssert.NotHit(after);
    }

    [Fact]
    public async Task AdminSoftPurge_MarksStale_GraceStillServesWhenOriginFails()
    {
        var fail = false;
        await using var f = await CacheFixture.StartAsync(context =>
        {
            if (fail)
            {
                context.Response.StatusCode = 503;
                return Task.CompletedTask;
            }

            context.Response.Headers.CacheControl = "max-age=600, stale-if-error=600";
            return context.Response.WriteAsync("soft");
        }, output);
        using (await f.GetAsync("/s"))
        {
        }

        await AdminPostAsync(f, "/cache/purge?soft=true&url=" + Uri.EscapeDataString(new Uri(f.Proxy.BaseAddress, "/s").ToString()));
        fail = true;
        using var response = await f.GetAsync("/s");

        Assert.Equal(2, f.Origin.RequestCount); // soft-purged: no longer fresh, the origin was asked
        Assert.Equal("soft", await response.Content.ReadAsStringAsync()); // but stale-if-error still served it
    }

    [Fact]
    public async Task AdminBan_ByPrefixAndByPattern()
    {
        await using var f = await CacheFixture.StartAsync(Counter(), output);
        foreach (var path in new[] { "/blog/1", "/blog/2", "/shop/1", "/shop/2" })
        {
            using (await f.GetAsync(path))
            {
            }
        }

        var byPrefix = await AdminPostAsync(f, "/cache/ban?prefix=" + Uri.EscapeDataString(new Uri(f.Proxy.BaseAddress, "/blog/").ToString()));
        var byPattern = await AdminPostAsync(f, "/cache/ban?pattern=" + Uri.EscapeDataString("/shop/2$"));

        Assert.Equal(2, byPrefix.GetProperty("banned").GetInt32());
        Assert.Equal(1, byPattern.GetProperty("banned").GetInt32());
        using var shop1 = await f.GetAsync("/shop/1");
        CacheAssert.Hit(shop1);
    }

    [Fact]
    public async Task AdminPurgeByTag_RemovesTaggedEntries()
    {
        await using var f = await CacheFixture.StartAsync(context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            context.Response.Headers["Surrogate-Key"] = context.Request.Path.StartsWithSegments("/p") ? "product-7 catalog" : "home";
            return context.Response.WriteAsync("x");
        }, output);
        using (await f.GetAsync("/p/1"))
        using (await f.GetAsync("/p/2"))
        using (await f.GetAsync("/home"))
        {
        }

        var result = await AdminPostAsync(f, "/cache/tags/catalog/purge");
        using var home = await f.GetAsync("/home");

        Assert.Equal(2, result.GetProperty("purged").GetInt32());
        CacheAssert.Hit(home);
    }

    [Fact]
    public async Task AdminEndpoints_RequireTokenWhenConfigured()
    {
        await using var f = await CacheFixture.StartAsync(Counter(), output, new() { ["ZProxy:Admin:Token"] = "s3cret" });
        using var admin = new HttpClient { BaseAddress = f.Proxy.AdminAddress };

        using var without = await admin.PostAsync("/cache/tags/x/purge", null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cache/tags/x/purge");
        request.Headers.Authorization = new("Bearer", "s3cret");
        using var with = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }

    [Fact]
    public async Task AdminEndpoints_RejectAddressesOutsideAllowList()
    {
        await using var f = await CacheFixture.StartAsync(Counter(), output, new() { ["ZProxy:Admin:AllowList:0"] = "192.0.2.0/24", ["ZProxy:Admin:AllowList:1"] = "192.0.2.9" });
        using var admin = new HttpClient { BaseAddress = f.Proxy.AdminAddress };

        using var response = await admin.PostAsync("/cache/tags/x/purge", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task CacheMetrics_CountHitsAndMisses()
    {
        await using var f = await CacheFixture.StartAsync(Counter(), output);
        using (await f.GetAsync("/m"))
        using (await f.GetAsync("/m"))
        using (await f.GetAsync("/m"))
        {
        }

        using var admin = new HttpClient { BaseAddress = f.Proxy.AdminAddress };
        var metrics = await admin.GetStringAsync("/metrics");

        Assert.Equal(2, Count(metrics, "hit"));
        Assert.Equal(1, Count(metrics, "miss"));
    }

    private static double Count(string metrics, string result)
    {
        var match = System.Text.RegularExpressions.Regex.Match(metrics,
            "zproxy_cache_requests_total\\{[^}]*zproxy_cache_result=\"" + result + "\"[^}]*\\} ([0-9.e+]+)");
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private static Func<HttpContext, Task> Counter()
    {
        var count = 0;
        return context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            return context.Response.WriteAsync("n=" + Interlocked.Increment(ref count));
        };
    }

    private static async Task<JsonElement> AdminPostAsync(CacheFixture f, string pathAndQuery)
    {
        using var admin = new HttpClient { BaseAddress = f.Proxy.AdminAddress };
        using var response = await admin.PostAsync(pathAndQuery, null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
