using System.Net;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;
using ZProxy.FunctionalTests.Infrastructure;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>Serving stale content: stale-while-revalidate, stale-if-error and grace (RFC 5861, RFC 9111 §4.2.4).</summary>
public sealed class StaleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task StaleWhileRevalidate_ServesStaleAtOnce_RefreshesInBackground()
    {
        var version = 0;
        await using var f = await CacheFixture.StartAsync(context =>
        {
            var v = Interlocked.Increment(ref version);
            context.Response.Headers.CacheControl = "max-age=10, stale-while-revalidate=60";
            return context.Response.WriteAsync("v" + v);
        }, output);

        using (await f.GetAsync("/s"))
        {
        }

        f.Clock.Advance(TimeSpan.FromSeconds(15));
        using var stale = await f.GetAsync("/s");

        Assert.Equal("v1", await stale.Content.ReadAsStringAsync());
        Assert.Contains("stale-while-revalidate", CacheAssert.Status(stale));

        // The background refresh reaches the origin once and replaces the entry.
        var deadline = DateTime.UtcNow + Timeout;
        string body;
        do
        {
            await Task.Delay(20);
            using var next = await f.GetAsync("/s");
            body = await next.Content.ReadAsStringAsync();
        }
        while (body != "v2" && DateTime.UtcNow < deadline);

        Assert.Equal("v2", body);
        Assert.Equal(2, f.Origin.RequestCount);
    }

    [Fact]
    public async Task StaleIfError_OriginDown_ServesStale()
    {
        var origin = await TestOrigin.StartAsync(context =>
        {
            context.Response.Headers.CacheControl = "max-age=10, stale-if-error=600";
            return context.Response.WriteAsync("still here");
        });
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output,
            b => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<TimeProvider>(b.Services, clock));
        using (await proxy.Client.GetAsync("/e"))
        {
        }

        await origin.DisposeAsync();
        clock.Advance(TimeSpan.FromSeconds(30));
        using var response = await proxy.Client.GetAsync("/e");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("still here", await response.Content.ReadAsStringAsync());
        Assert.Contains("stale-if-error", CacheAssert.Status(response));
    }

    [Fact]
    public async Task StaleIfError_Origin5xx_ServesStale()
    {
        var fail = false;
        await using var f = await CacheFixture.StartAsync(context =>
        {
            if (fail)
            {
                context.Response.StatusCode = 503;
                return context.Response.WriteAsync("down");
            }

            context.Response.Headers.CacheControl = "max-age=10, stale-if-error=600";
            return context.Response.WriteAsync("good copy");
        }, output);
        using (await f.GetAsync("/e"))
        {
        }

        fail = true;
        f.Clock.Advance(TimeSpan.FromSeconds(30));
        using var response = await f.GetAsync("/e");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("good copy", await response.Content.ReadAsStringAsync());
        Assert.Contains("fwd-status=503", CacheAssert.Status(response));
    }

    [Fact]
    public async Task Grace_ServesStaleWhenOriginFails_EvenWithoutStaleIfError()
    {
        var fail = false;
        await using var f = await CacheFixture.StartAsync(context =>
        {
            if (fail)
            {
                context.Response.StatusCode = 500;
                return Task.CompletedTask;
            }

            context.Response.Headers.CacheControl = "max-age=10";
            context.Response.Headers.ETag = "\"g\"";
            return context.Response.WriteAsync("graceful");
        }, output, new() { ["ZProxy:Cache:Default:Grace"] = "00:10:00" });
        using (await f.GetAsync("/g"))
        {
        }

        fail = true;
        f.Clock.Advance(TimeSpan.FromSeconds(60));
        using var response = await f.GetAsync("/g");

        Assert.Equal("graceful", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MustRevalidate_OriginFails_NoStaleServed()
    {
        var fail = false;
        await using var f = await CacheFixture.StartAsync(context =>
        {
            if (fail)
            {
                context.Response.StatusCode = 503;
                return context.Response.WriteAsync("down");
            }

            context.Response.Headers.CacheControl = "max-age=10, must-revalidate, stale-if-error=600";
            context.Response.Headers.ETag = "\"m\"";
            return context.Response.WriteAsync("strict");
        }, output, new() { ["ZProxy:Cache:Default:Grace"] = "00:10:00" });
        using (await f.GetAsync("/m"))
        {
        }

        fail = true;
        f.Clock.Advance(TimeSpan.FromSeconds(30));
        using var response = await f.GetAsync("/m");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task OnlyIfCached_NothingStored_Answers504WithoutContactingOrigin()
    {
        await using var f = await CacheFixture.StartAsync(StorageTests.Respond("max-age=60", "x"), output);

        using var response = await f.GetAsync("/o", r => r.Headers.CacheControl = new() { OnlyIfCached = true });

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(0, f.Origin.RequestCount);
    }
}
