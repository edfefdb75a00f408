using ZProxy.Transport.Tests.Infrastructure;

namespace ZProxy.Transport.Tests;

public sealed class HitBodySmokeTests
{
    [Fact]
    public async Task Hit_SingleRequest_ByteExactByReference()
    {
        await using var host = await TransportTestHost.StartAsync();
        var body = host.AddBody("a", 100_000);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);
        await client.SendAsync(RawHttpConnection.Get("/hit/a"));
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal(Convert.ToHexString(body.Sha256()), response.Sha256Hex);
        Assert.True(host.Results.TryPeek(out var result));
        Assert.Equal(new HitBodySendResult(100_000, 0, 0, null), result);
        await body.WaitForZeroAsync(TimeSpan.FromSeconds(10));
    }
}
