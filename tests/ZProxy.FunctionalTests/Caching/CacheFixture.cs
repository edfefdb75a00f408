using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using ZProxy.FunctionalTests.Infrastructure;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>A scripted origin and ZProxy in front of it with a fake clock, for one cache test.</summary>
internal sealed class CacheFixture : IAsyncDisposable
{
    private CacheFixture(TestOrigin origin, ZProxyServer proxy, FakeTimeProvider clock)
    {
        Origin = origin;
        Proxy = proxy;
        Clock = clock;
    }

    public TestOrigin Origin { get; }

    public ZProxyServer Proxy { get; }

    public FakeTimeProvider Clock { get; }

    public HttpClient Client => Proxy.Client;

    public static async Task<CacheFixture> StartAsync(Func<HttpContext, Task> origin, ITestOutputHelper output,
        Dictionary<string, string?>? settings = null)
    {
        // The origin and ZProxy share the fake clock: the origin's Date follows it, as a real origin's
        // Date follows the real clock, so apparent age (RFC 9111 §4.2.3) stays what the test intends.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var testOrigin = await TestOrigin.StartAsync(context =>
        {
            context.Response.Headers.Date = clock.GetUtcNow().ToString("R");
            return origin(context);
        });
        var all = ProxyConfig.CatchAll(testOrigin.BaseAddress);
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var proxy = await ZProxyServer.StartAsync(all, output, builder => builder.Services.AddSingleton<TimeProvider>(clock));
        return new CacheFixture(testOrigin, proxy, clock);
    }

    public async Task<HttpResponseMessage> GetAsync(string path, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        configure?.Invoke(request);
        var response = await Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Origin.DisposeAsync();
    }
}

internal static class CacheAssert
{
    public static string Status(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : "";

    public static void Hit(HttpResponseMessage response) =>
        Assert.StartsWith("ZProxy; hit", Status(response));

    public static void NotHit(HttpResponseMessage response) =>
        Assert.DoesNotContain("; hit", Status(response));
}
