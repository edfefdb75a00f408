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

    [Theory]
    [InlineData("", null)]
    [InlineData("bbr;rm", null)]
    [InlineData("averyverylongname", null)]
    [InlineData(null, 4095)]
    [InlineData(null, 0)]
    public void Validate_BadCongestionControlOrPacedSendLimit_Fails(string? congestionControl, int? pacedSendLimit)
    {
        var options = new ZProxyTransportOptions { CongestionControl = congestionControl };
        if (pacedSendLimit is not null)
        {
            options.PacedSendLimit = pacedSendLimit;
        }

        var result = new ZProxyTransportOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
    }

    [Theory]
    [InlineData("cubic", null)]
    [InlineData("bbr", 4096)]
    public void Validate_CongestionControlAndPacedSendLimit_Succeed(string congestionControl, int? pacedSendLimit)
    {
        var options = new ZProxyTransportOptions { CongestionControl = congestionControl, PacedSendLimit = pacedSendLimit };
        Assert.True(new ZProxyTransportOptionsValidator().Validate(null, options).Succeeded);
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
