using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Time.Testing;
using ZProxy.Transport.Tests.Infrastructure;

namespace ZProxy.Transport.Tests;

/// <summary>
/// Bytes sent by reference are invisible to Kestrel's MinResponseDataRate; the transport applies
/// the request's rate to them itself.
/// </summary>
public sealed class SendRateTests
{
    [Fact]
    public async Task SlowClient_ReadingAboveMinimumRate_ReceivesWholeBodyAndKeepsConnection()
    {
        // Grace 1.5 s, client at 160 KiB/s for about five seconds: if a flush waited on reference
        // bytes, Kestrel would time it against the few bytes it counted and abort within about
        // three seconds.
        await using var host = await TransportTestHost.StartAsync(
            transport: o => o.SocketSendBufferSize = 16 * 1024,
            kestrel: k => k.Limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 64 * 1024, gracePeriod: TimeSpan.FromSeconds(1.5)));
        var body = host.AddBody("slow", 768 * 1024);
        var small = host.AddBody("small", 2000);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port, receiveBufferSize: 16 * 1024);

        // Behind the slow hit: a small hit, and a copied body larger than the pause threshold,
        // whose flush Kestrel would time without counting the hit queued ahead of it.
        await client.SendAsync(RawHttpConnection.Get("/hit/slow?parts=2") + RawHttpConnection.Get("/hit/small") + RawHttpConnection.Get("/plain/200000"));
        var slow = await client.ReadResponseAsync(bytesPerSecond: 160 * 1024);
        var next = await client.ReadResponseAsync();
        var copied = await client.ReadResponseAsync();

        Assert.Equal(Convert.ToHexString(body.Sha256()), slow.Sha256Hex);
        Assert.Equal(Convert.ToHexString(small.Sha256()), next.Sha256Hex);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(TransportTestHost.Pattern(200_000))), copied.Sha256Hex);
        Assert.Empty(host.Errors.Entries);
        await host.WaitForResultsAsync(2);
        Assert.Equal(768 * 1024 + 2000, host.SumBodyBytes("reference"));
        await body.WaitForZeroAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task StalledClient_StopsReading_IsCutOffAtMinimumRate()
    {
        var time = new FakeTimeProvider();
        await using var host = await TransportTestHost.StartAsync(
            transport: o =>
            {
                o.SocketSendBufferSize = 16 * 1024;
                o.TimeProvider = time;
            },
            kestrel: k => k.Limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 64 * 1024, gracePeriod: TimeSpan.FromSeconds(1.5)));
        var body = host.AddBody("stall", 4 * 1024 * 1024);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port, receiveBufferSize: 16 * 1024);

        await client.SendAsync(RawHttpConnection.Get("/hit/stall"));
        await host.WaitForResultsAsync(1);

        // 4 MiB at 64 KiB/s may take 64 s: at 10 s the connection is still fine.
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(body.References > 0);

        // Past the deadline the heartbeat aborts the connection and releases the segments.
        time.Advance(TimeSpan.FromSeconds(60));
        await body.WaitForZeroAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<Exception>(() => client.ReadResponseAsync());
    }
}
