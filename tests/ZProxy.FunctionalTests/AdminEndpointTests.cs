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

        Assert.Matches("zproxy_proxy_forward_errors(_total)?\\{[^}]*error_type=\"request\"[^}]*\\} 1\n", text);
    }

    [Fact]
    public async Task Metrics_OfTwoHostsInOneProcess_EachExportOnlyTheirOwn()
    {
        await using var failing = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(new Uri($"http://127.0.0.1:{FreePort.Next()}/")), output);
        await using var idle = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(new Uri($"http://127.0.0.1:{FreePort.Next()}/")), output);
        using (await failing.Client.GetAsync("/"))
        {
        }

        using var failingAdmin = new HttpClient { BaseAddress = failing.AdminAddress };
        using var idleAdmin = new HttpClient { BaseAddress = idle.AdminAddress };
        var failingText = await failingAdmin.GetStringAsync("/metrics");
        var idleText = await idleAdmin.GetStringAsync("/metrics");

        Assert.DoesNotContain("zproxy_proxy_forward_errors", idleText);
        Assert.Single(Series(failingText, "zproxy_proxy_forward_errors"));
        Assert.Empty(DuplicateSeries(failingText));
        Assert.Empty(DuplicateSeries(idleText));
    }

    private static IEnumerable<string> Series(string exposition, string name) =>
        exposition.Split('\n').Where(line => line.StartsWith(name, StringComparison.Ordinal));

    // A series is its name and labels, everything before the value: Prometheus rejects a scrape
    // that repeats one.
    private static IEnumerable<string> DuplicateSeries(string exposition) =>
        exposition.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.LastIndexOf(' ')])
            .GroupBy(series => series, StringComparer.Ordinal)
            .Where(group => group.Count() > 1)
            .Select(group => group.Key);

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
