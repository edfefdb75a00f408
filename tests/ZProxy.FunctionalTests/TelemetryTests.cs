using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;
using ZProxy.FunctionalTests.Infrastructure;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests;

/// <summary>Traces leave over OTLP when a collector is configured (OTLP/HTTP protobuf to a test receiver).</summary>
public sealed class TelemetryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OtlpEnabled_RequestSpansArePostedToTheCollector()
    {
        var traces = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var collector = await TestOrigin.StartAsync(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            if (context.Request.Path == "/v1/traces" && body.Length > 0)
            {
                traces.TrySetResult(body.Length);
            }

            context.Response.ContentType = "application/x-protobuf";
        });
        await using var origin = await TestOrigin.StartAsync(context => context.Response.WriteAsync("traced"));
        var settings = ProxyConfig.CatchAll(origin.BaseAddress);
        settings["ZProxy:Telemetry:Otlp:Enabled"] = "true";
        settings["ZProxy:Telemetry:Otlp:Protocol"] = "HttpProtobuf";
        settings["ZProxy:Telemetry:Otlp:Endpoint"] = collector.BaseAddress.ToString().TrimEnd('/');
        await using var proxy = await ZProxyServer.StartAsync(settings, output);

        Assert.Equal("traced", await proxy.Client.GetStringAsync("/t"));

        // The batch exporter sends every few seconds: the server span of /t (and the client span to the origin).
        Assert.True(await traces.Task.WaitAsync(Timeout) > 0);
    }
}
