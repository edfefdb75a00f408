using Microsoft.Extensions.Options;

namespace ZProxy.Transport.Tests;

public sealed class ZProxyTransportOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new ZProxyTransportOptionsValidator().Validate(null, new ZProxyTransportOptions());
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_FailsAtStartup()
    {
        await Assert.ThrowsAsync<OptionsValidationException>(() => Infrastructure.TransportTestHost.StartAsync(transport: o =>
        {
            o.SendfileThreshold = 0;
            o.HeartbeatInterval = TimeSpan.Zero;
        }));
    }
}
