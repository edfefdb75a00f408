using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Xunit.Abstractions;
using ZProxy.PageBlocks;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>
/// Fails if cache hits silently stopped going out by reference: guards every Kestrel upgrade and every
/// change to the hit path, end to end through the cache.
/// </summary>
public sealed class ZeroCopyGuardTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(4096)]
    [InlineData(16 * 1024)]
    [InlineData(128 * 1024)]
    [InlineData(1024 * 1024)]
    public async Task Hits_OnPlainConnection_AreSentByReferenceOnly(int size)
    {
        const int Hits = 10;
        var body = RandomNumberGenerator.GetBytes(size);
        await using var f = await CacheFixture.StartAsync(async context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        }, output);
        using (await f.GetAsync("/z"))
        {
        }

        // Seals are batched (a few milliseconds); apply them now so every hit below finds sealed memory.
        f.Proxy.Services.GetRequiredService<PageBlockStore>().FlushPending();
        var meterFactory = f.Proxy.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var bytes = new MetricCollector<long>(meterFactory, "ZProxy.Transport", "zproxy.hit.body.bytes");
        for (var i = 0; i < Hits; i++)
        {
            using var hit = await f.GetAsync("/z");
            Assert.Equal(body, await hit.Content.ReadAsByteArrayAsync());
            CacheAssert.Hit(hit);
        }

        // The sender records after the bytes are handed over, which can be just after the client has them.
        await bytes.WaitForMeasurementsAsync(Hits, TimeSpan.FromSeconds(10));
        var byPath = bytes.GetMeasurementSnapshot()
            .GroupBy(m => (string)m.Tags["path"]!)
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
#if KESTREL_TRANSPORT
        // Kestrel's sockets cannot take foreign memory: every hit is copied, and counted as such.
        Assert.Equal((long)Hits * size, byPath.GetValueOrDefault("copy"));
        Assert.Equal(0, byPath.GetValueOrDefault("reference"));
#else
        Assert.Equal((long)Hits * size, byPath.GetValueOrDefault("reference"));
        Assert.Equal(0, byPath.GetValueOrDefault("copy"));
#endif
    }

    [Fact]
    public async Task SmallObjectInOpenPageblock_IsCopied_AsUnsealed()
    {
        // A small body shares its pageblock with others and is sealed only when the block is full.
        await using var f = await CacheFixture.StartAsync(StorageTests.Respond("max-age=600", "small body"), output);
        using (await f.GetAsync("/small"))
        {
        }

        var meterFactory = f.Proxy.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var fallbacks = new MetricCollector<long>(meterFactory, "ZProxy.Transport", "zproxy.hit.copy.fallbacks");
        using var hit = await f.GetAsync("/small");

        Assert.Equal("small body", await hit.Content.ReadAsStringAsync());
        await fallbacks.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        Assert.Equal("unsealed", fallbacks.GetMeasurementSnapshot().Single().Tags["reason"]);
    }
}
