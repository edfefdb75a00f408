using System.Net;
using System.Security.Cryptography;
using Xunit.Abstractions;
using ZProxy.DemoOrigin;
using ZProxy.FunctionalTests.Infrastructure;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests;

/// <summary>The demo origin's fixed resources, fetched through ZProxy as a user of the README would.</summary>
public sealed class DemoOriginTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ZProxyServer _proxy = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var settings = ProxyConfig.CatchAll(new Uri($"http://127.0.0.1:{port}/"))
            .With("ZProxy:DemoOrigin:Enabled", "true")
            .With("ZProxy:DemoOrigin:Url", $"http://127.0.0.1:{port}");
        _proxy = await ZProxyServer.StartAsync(settings, output);
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Theory]
    [InlineData("/", "text/html", "max-age=60, public")]
    [InlineData("/api/items.json", "application/json", "max-age=30, public")]
    [InlineData("/assets/1k.bin", "application/octet-stream", "max-age=3600, public")]
    [InlineData("/account", "application/json", "no-store, private")]
    public async Task Resource_HasItsCachingHeaders(string path, string mediaType, string cacheControl)
    {
        using var response = await _proxy.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var directives = response.Headers.CacheControl!.ToString().Split(',', StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal);
        Assert.Equal(cacheControl, string.Join(", ", directives));
    }

    [Theory]
    [InlineData("1k", 1024)]
    [InlineData("64k", 65536)]
    [InlineData("1m", 1048576)]
    public async Task Asset_IsDeterministicWithStrongETag(string name, int size)
    {
        using var response = await _proxy.Client.GetAsync($"/assets/{name}.bin");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(size, body.Length);
        Assert.Equal(SHA256.HashData(DemoContent.Create(size)), SHA256.HashData(body));
        var etag = response.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.Equal(DemoContent.StrongETag(body), etag.Tag);
    }

    [Fact]
    public async Task Asset_AnswersConditionalRequestWith304()
    {
        using var first = await _proxy.Client.GetAsync("/assets/64k.bin");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/assets/64k.bin");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var response = await _proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task News_HasOnlyLastModified()
    {
        using var response = await _proxy.Client.GetAsync("/news");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.CacheControl);
        Assert.Null(response.Content.Headers.Expires);
        Assert.Equal(DemoContent.LastModified, response.Content.Headers.LastModified);
    }
}
