using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;
using ZProxy.FunctionalTests.Infrastructure;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests;

public sealed class OriginFailureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task OriginRefusesConnection_Answers502WithShortBody()
    {
        var closedPort = FreePort.Next();
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(new Uri($"http://127.0.0.1:{closedPort}/")), output);

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("502 Bad Gateway", body);
        Assert.True(body.Length < 200);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task OriginTooSlow_Answers504WithShortBody()
    {
        var originSawCancel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await TestOrigin.StartAsync(async context =>
        {
            try
            {
                await Task.Delay(Timeout, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                originSawCancel.TrySetResult();
            }
        });
        await using var proxy = await ZProxyServer.StartAsync(
            ProxyConfig.CatchAll(origin.BaseAddress, activityTimeout: TimeSpan.FromMilliseconds(300)), output);

        using var response = await proxy.Client.GetAsync("/slow");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.StartsWith("504 Gateway Timeout", await response.Content.ReadAsStringAsync());
        await originSawCancel.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task OriginTimeoutOption_AppliesToClustersWithoutTheirOwn()
    {
        await using var origin = await TestOrigin.StartAsync(context => Task.Delay(Timeout, context.RequestAborted));
        await using var proxy = await ZProxyServer.StartAsync(
            ProxyConfig.CatchAll(origin.BaseAddress).With("ZProxy:Forwarding:OriginTimeout", "00:00:00.300"), output);

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }

    [Fact]
    public async Task ClientGoesAway_OriginRequestIsCancelled()
    {
        var originStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var originSawCancel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await TestOrigin.StartAsync(async context =>
        {
            originStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                originSawCancel.TrySetResult();
            }
        });
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, proxy.BaseAddress.Port);
            await client.GetStream().WriteAsync(Encoding.Latin1.GetBytes("GET /wait HTTP/1.1\r\nHost: t\r\n\r\n"));
            await originStarted.Task.WaitAsync(Timeout);
            client.Client.LingerState = new LingerOption(true, 0); // reset, as a browser tab closing does
        }

        await originSawCancel.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task OriginDiesMidBody_ClientSeesAbortedTransferNotShortBody()
    {
        var clientHasHeaders = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = new RawTcpServer(async (socket, _, token) =>
        {
            if (await RawHttp.ReadHeadAsync(socket, token) is null)
            {
                return;
            }

            await RawHttp.SendAsync(socket, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + new string('x', 1000), token);
            await clientHasHeaders.Task.WaitAsync(Timeout, token);
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        });
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);

        using var response = await proxy.Client.GetAsync("/", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(100000, response.Content.Headers.ContentLength);
        clientHasHeaders.SetResult();

        // The client must see a broken transfer (an exception), never a complete-looking short body.
        await Assert.ThrowsAnyAsync<HttpRequestException>(async () => await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task NoHealthyDestination_Answers503()
    {
        await using var proxy = await ZProxyServer.StartAsync(new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:all:ClusterId"] = "empty",
            ["ReverseProxy:Routes:all:Match:Path"] = "{**catch-all}",
            ["ReverseProxy:Clusters:empty:LoadBalancingPolicy"] = "RoundRobin",
        }, output);

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("503", await response.Content.ReadAsStringAsync());
    }
}
