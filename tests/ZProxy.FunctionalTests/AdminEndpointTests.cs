using System.Net;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;
using ZProxy.FunctionalTests.Infrastructure;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests;

public sealed class AdminEndpointTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Metrics_AreServedOnAdminListener_InPrometheusFormat()
    {
        await using var origin = await TestOrigin.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);
        using (await proxy.Client.GetAsync("/warm-up"))
        {
        }

        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };
        using var response = await admin.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("target_info{service_name=\"zproxy\"", text);
        Assert.Contains("http_server_request_duration_seconds", text);
    }

    [Fact]
    public async Task ForwardErrors_AreCountedInMetrics()
    {
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(new Uri($"http://127.0.0.1:{FreePort.Next()}/")), output);
        using (await proxy.Client.GetAsync("/"))
        {
        }

        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };
        var text = await admin.GetStringAsync("/metrics");

        // Meters are process-wide: parallel tests may add to the count, so at least one.
        Assert.Matches("zproxy_proxy_forward_errors(_total)?\\{[^}]*error_type=\"request\"[^}]*\\} [1-9]", text);
    }

    [Fact]
    public async Task MetricsPathOnPublicPort_IsProxiedToOrigin_NotExposed()
    {
        await using var origin = await TestOrigin.StartAsync(context => context.Response.WriteAsync("origin metrics page"));
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);

        var body = await proxy.Client.GetStringAsync("/metrics");

        Assert.Equal("origin metrics page", body);
        Assert.NotEqual(proxy.BaseAddress.Port, proxy.AdminAddress!.Port);
    }

    [Fact]
    public async Task HealthEndpoint_AnswersOk()
    {
        await using var proxy = await ZProxyServer.StartAsync(new Dictionary<string, string?>(), output);
        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };

        Assert.Equal("ok\n", await admin.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task AdminDisabled_NoAdminListener()
    {
        await using var proxy = await ZProxyServer.StartAsync(new Dictionary<string, string?> { ["ZProxy:Admin:Enabled"] = "false" }, output);

        Assert.Null(proxy.AdminAddress);
    }
}
