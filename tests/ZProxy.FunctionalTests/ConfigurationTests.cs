using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using ZProxy.FunctionalTests.Infrastructure;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests;

public sealed class ConfigurationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("ZProxy:Admin:Url", "not a url", "ZProxy:Admin:Url must be an absolute http:// URL")]
    [InlineData("ZProxy:Admin:MetricsPath", "metrics", "ZProxy:Admin:MetricsPath must start with '/'")]
    [InlineData("ZProxy:DemoOrigin:Url", "8081", "ZProxy:DemoOrigin:Url must be an absolute http:// URL")]
    [InlineData("ZProxy:Forwarding:OriginTimeout", "00:00:00", "OriginTimeout")]
    [InlineData("ZProxy:Forwarding:OriginTimeout", "02:00:00", "OriginTimeout")]
    [InlineData("ZProxy:Forwarding:ViaPseudonym", "zproxy 1", "ViaPseudonym must be an HTTP token")]
    [InlineData("ZProxy:Telemetry:Otlp:Endpoint", "collector", "ZProxy:Telemetry:Otlp:Endpoint must be an absolute URL")]
    public async Task InvalidSetting_StartFailsWithMessageNamingIt(string key, string value, string expectedMessage)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            ZProxyServer.StartAsync(new Dictionary<string, string?> { [key] = value }, output));

        Assert.Contains(expectedMessage, error.Message);
    }

    [Theory]
    [InlineData("ZProxy:Forwarding:XForwarded", "Sometimes")]
    [InlineData("ZProxy:Forwarding:OriginTimeout", "soon")]
    [InlineData("ZProxy:Admin:Enabled", "maybe")]
    public async Task UnparsableSetting_StartFailsWithMessageNamingTheKey(string key, string value)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ZProxyServer.StartAsync(new Dictionary<string, string?> { [key] = value }, output));

        Assert.Contains(key, error.Message);
    }

    [Fact]
    public async Task InvalidCluster_StartFailsWithYarpValidationMessage()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ZProxyServer.StartAsync(new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:r:ClusterId"] = "c",
            ["ReverseProxy:Routes:r:Match:Path"] = "{**catch-all}",
            ["ReverseProxy:Clusters:c:LoadBalancingPolicy"] = "NoSuchPolicy",
            ["ReverseProxy:Clusters:c:Destinations:d:Address"] = "http://127.0.0.1:1/",
        }, output));

        Assert.Contains("NoSuchPolicy", error.ToString());
    }

    [Fact]
    public async Task EditedConfigFile_RoutesAreReloadedWithoutRestart()
    {
        await using var originA = await TestOrigin.StartAsync(context => context.Response.WriteAsync("A"));
        await using var originB = await TestOrigin.StartAsync(context => context.Response.WriteAsync("B"));
        var directory = Directory.CreateTempSubdirectory("zproxy-reload-");
        var file = Path.Combine(directory.FullName, "routes.json");
        await File.WriteAllTextAsync(file, RoutesJson(originA.BaseAddress));
        try
        {
            await using var proxy = await ZProxyServer.StartAsync(new Dictionary<string, string?>(), output,
                builder => builder.Configuration.AddJsonFile(file, optional: false, reloadOnChange: true));
            Assert.Equal("A", await proxy.Client.GetStringAsync("/"));

            await File.WriteAllTextAsync(file, RoutesJson(originB.BaseAddress));

            // The file watcher fires asynchronously; poll, bounded in count and time.
            var deadline = DateTime.UtcNow + Timeout;
            string body;
            do
            {
                await Task.Delay(100);
                body = await proxy.Client.GetStringAsync("/");
            }
            while (body != "B" && DateTime.UtcNow < deadline);

            Assert.Equal("B", body);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RepositoryAppSettings_IsValidAndRoutesToTheDemoOrigin()
    {
        // The root appsettings.json is what the README's start command uses; load it as-is, moving
        // only the ports so the test cannot collide with a running ZProxy.
        var path = Path.Combine(RepositoryRoot.Path, "appsettings.json");
        var demoPort = FreePort.Next();
        await using var proxy = await ZProxyServer.StartAsync(new Dictionary<string, string?>(), output, builder =>
        {
            builder.Configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Urls"] = "http://127.0.0.1:0",
                ["ZProxy:Admin:Url"] = "http://127.0.0.1:0",
                ["ZProxy:DemoOrigin:Url"] = $"http://127.0.0.1:{demoPort}",
                ["ReverseProxy:Clusters:demo:Destinations:demo-1:Address"] = $"http://127.0.0.1:{demoPort}/",
            });
        });

        using var response = await proxy.Client.GetAsync("/api/items.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("widget", await response.Content.ReadAsStringAsync());
    }

    private static string RoutesJson(Uri origin) => $$"""
        {
          "ReverseProxy": {
            "Routes": { "all": { "ClusterId": "c", "Match": { "Path": "{**catch-all}" } } },
            "Clusters": { "c": { "Destinations": { "d": { "Address": "{{origin}}" } } } }
          }
        }
        """;
}
