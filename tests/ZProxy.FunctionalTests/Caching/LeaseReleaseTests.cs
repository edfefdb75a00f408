using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using ZProxy.PageBlocks;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>
/// A client that resets or half-closes in the middle of a hit must not pin store memory: once the
/// entry is purged, every lease and every reference the transport took is returned and the memory freed.
/// </summary>
public sealed class LeaseReleaseTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ClientGoneMidHit_AllReferencesReleased(bool reset)
    {
        var body = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        await using var f = await CacheFixture.StartAsync(async context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        }, output);
        using (await f.GetAsync("/big"))
        {
        }

        var store = f.Proxy.Services.GetRequiredService<PageBlockStore>();
        store.FlushPending();
        using (var client = new TcpClient())
        {
            client.ReceiveBufferSize = 16 * 1024;
            await client.ConnectAsync(IPAddress.Loopback, f.Proxy.BaseAddress.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /big HTTP/1.1\r\nHost: {f.Proxy.BaseAddress.Authority}\r\n\r\n"));
            var buffer = new byte[64 * 1024];
            await stream.ReadAtLeastAsync(buffer, buffer.Length).AsTask().WaitAsync(Timeout);
            if (reset)
            {
                client.Client.LingerState = new LingerOption(true, 0);
            }
            else
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }
        }

        using var admin = new HttpClient { BaseAddress = f.Proxy.AdminAddress };
        using (await admin.PostAsync("/cache/purge?url=" + Uri.EscapeDataString(new Uri(f.Proxy.BaseAddress, "/big").ToString()), null))
        {
        }

        var deadline = DateTime.UtcNow + Timeout;
        PageBlockStoreStatistics stats;
        do
        {
            await Task.Delay(20);
            stats = store.GetStatistics();
        }
        while ((stats.Leases != 0 || stats.UnfreedObjects != 0) && DateTime.UtcNow < deadline);

        output.WriteLine(stats.ToString());
        Assert.Equal(0, stats.Objects);
        Assert.Equal(0, stats.Leases);
        Assert.Equal(0, stats.UnfreedObjects);
    }

    [Fact]
    public async Task ClientResetsDuringMiss_NoLeaseLeaks()
    {
        var body = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        await using var f = await CacheFixture.StartAsync(async context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        }, output);
        var store = f.Proxy.Services.GetRequiredService<PageBlockStore>();

        using (var client = new TcpClient())
        {
            client.ReceiveBufferSize = 16 * 1024;
            await client.ConnectAsync(IPAddress.Loopback, f.Proxy.BaseAddress.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /miss HTTP/1.1\r\nHost: {f.Proxy.BaseAddress.Authority}\r\n\r\n"));
            var buffer = new byte[64 * 1024];
            await stream.ReadAtLeastAsync(buffer, buffer.Length).AsTask().WaitAsync(Timeout);
            client.Client.LingerState = new LingerOption(true, 0);
        }

        var deadline = DateTime.UtcNow + Timeout;
        PageBlockStoreStatistics stats;
        do
        {
            await Task.Delay(20);
            stats = store.GetStatistics();
        }
        while ((stats.Leases != 0 || stats.UnfreedObjects != stats.Objects) && DateTime.UtcNow < deadline);

        output.WriteLine(stats.ToString());
        Assert.Equal(0, stats.Leases);
        Assert.Equal(stats.Objects, stats.UnfreedObjects);
    }
}
