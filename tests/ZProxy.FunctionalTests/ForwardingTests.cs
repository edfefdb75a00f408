using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;
using ZProxy.FunctionalTests.Infrastructure;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests;

public sealed class ForwardingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Get_OriginAnswers_ResponseIsForwardedUnchanged()
    {
        await using var origin = await TestOrigin.StartAsync(async context =>
        {
            context.Response.Headers["X-Origin"] = "yes";
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("hello from origin " + context.Request.Path + context.Request.QueryString);
        });
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);

        using var response = await proxy.Client.GetAsync("/some/path?q=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello from origin /some/path?q=1", await response.Content.ReadAsStringAsync());
        Assert.Equal("yes", Assert.Single(response.Headers.GetValues("X-Origin")));
        Assert.Equal("/some/path?q=1", Assert.Single(origin.Received).PathAndQuery);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    [InlineData("OPTIONS")]
    [InlineData("PROPFIND")]
    [InlineData("BREW")]
    public async Task AnyMethod_IsForwardedWithItsBody(string method)
    {
        await using var origin = await TestOrigin.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            context.Response.Headers["X-Method"] = context.Request.Method;
            await context.Response.WriteAsync(context.Request.Method + ":" + body);
        });
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);

        using var request = new HttpRequestMessage(new HttpMethod(method), "/m");
        var sendsBody = method is not ("GET" or "HEAD" or "OPTIONS" or "DELETE");
        if (sendsBody)
        {
            request.Content = new StringContent("payload");
        }

        using var response = await proxy.Client.SendAsync(request);

        // The cache turns a HEAD miss into a GET, to store the body (as nginx's proxy_cache_convert_head).
        var originMethod = method == "HEAD" ? "GET" : method;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(originMethod, Assert.Single(response.Headers.GetValues("X-Method")));
        Assert.Equal(originMethod, Assert.Single(origin.Received).Method);
        if (method != "HEAD")
        {
            Assert.Equal(method + ":" + (sendsBody ? "payload" : ""), await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Connect_IsAnswered501_WithoutReachingTheOriginOrTheLog()
    {
        await using var origin = await TestOrigin.StartAsync(context => context.Response.WriteAsync("origin"));
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.BaseAddress.Port);
        var stream = client.GetStream();
        using var cts = new CancellationTokenSource(Timeout);
        await stream.WriteAsync("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n"u8.ToArray(), cts.Token);
        var refused = await RawHttp.ReadResponseAsync(stream, cts.Token);

        // The same connection goes on serving: the refusal is an answer, not a broken exchange.
        await stream.WriteAsync("GET /after HTTP/1.1\r\nHost: example.test\r\n\r\n"u8.ToArray(), cts.Token);
        var after = await RawHttp.ReadResponseAsync(stream, cts.Token);

        Assert.Equal(501, refused.Status);
        Assert.StartsWith("501 Not Implemented", Encoding.ASCII.GetString(refused.Body), StringComparison.Ordinal);
        Assert.Equal("no-store", Assert.Single(refused.Values("Cache-Control")));
        Assert.Equal(200, after.Status);
        Assert.Equal("/after", Assert.Single(origin.Received).PathAndQuery);
        Assert.Empty(proxy.Logs.Entries);
    }

    [Fact]
    public async Task Via_IsAddedToRequestAndResponse()
    {
        await using var origin = await TestOrigin.StartAsync(context =>
        {
            context.Response.Headers.Via = "1.1 upstream-cdn";
            return Task.CompletedTask;
        });
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Via.ParseAdd("1.0 client-proxy");
        using var response = await proxy.Client.SendAsync(request);

        // RFC 9110 §7.6.3: each intermediary appends its own entry, in order.
        Assert.Equal("1.0 client-proxy, 1.1 zproxy", Assert.Single(origin.Received).Header("Via"));
        Assert.Equal(["1.1 upstream-cdn", "1.1 zproxy"], response.Headers.Via.Select(v => v.ToString()));
    }

    [Fact]
    public async Task Via_EmptyPseudonym_IsNotSent()
    {
        await using var origin = await TestOrigin.StartAsync(_ => Task.CompletedTask);
        await using var proxy = await ZProxyServer.StartAsync(
            ProxyConfig.CatchAll(origin.BaseAddress).With("ZProxy:Forwarding:ViaPseudonym", ""), output);

        using var response = await proxy.Client.GetAsync("/");

        Assert.Null(Assert.Single(origin.Received).Header("Via"));
        Assert.Empty(response.Headers.Via);
    }

    [Theory]
    [InlineData("Set", "127.0.0.1")]
    [InlineData("Append", "203.0.113.9,127.0.0.1")]
    [InlineData("Off", "203.0.113.9")]
    public async Task XForwarded_Mode_ControlsForwardedHeaders(string mode, string expectedFor)
    {
        await using var origin = await TestOrigin.StartAsync(_ => Task.CompletedTask);
        await using var proxy = await ZProxyServer.StartAsync(
            ProxyConfig.CatchAll(origin.BaseAddress).With("ZProxy:Forwarding:XForwarded", mode), output);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9");
        using var response = await proxy.Client.SendAsync(request);

        var received = Assert.Single(origin.Received);
        Assert.Equal(expectedFor, received.Header("X-Forwarded-For")?.Replace(" ", ""));
        if (mode == "Off")
        {
            Assert.Null(received.Header("X-Forwarded-Proto"));
            Assert.Null(received.Header("X-Forwarded-Host"));
        }
        else
        {
            Assert.Equal("http", received.Header("X-Forwarded-Proto"));
            Assert.Equal(proxy.BaseAddress.Authority, received.Header("X-Forwarded-Host"));
        }
    }

    [Fact]
    public async Task HopByHopHeaders_AndConnectionNominatedHeaders_AreNotForwardedToOrigin()
    {
        await using var origin = await TestOrigin.StartAsync(_ => Task.CompletedTask);
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.BaseAddress.Port);
        var stream = client.GetStream();
        // Not "keep-alive, X-Secret": Kestrel 10 hands the application only "keep-alive" for a
        // Connection header that contains it, so nominations beside keep-alive cannot be seen.
        var request = "GET /h HTTP/1.1\r\nHost: example.test\r\nConnection: X-Secret, x-other\r\n" +
            "X-Secret: s3cret\r\nX-Other: o\r\nX-Kept: k\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var cts = new CancellationTokenSource(Timeout);
        var response = await RawHttp.ReadResponseAsync(stream, cts.Token);

        Assert.Equal(200, response.Status);
        var received = Assert.Single(origin.Received);
        Assert.Null(received.Header("X-Secret"));
        Assert.Null(received.Header("X-Other"));
        Assert.Null(received.Header("Keep-Alive"));
        Assert.Null(received.Header("Proxy-Connection"));
        Assert.Equal("k", received.Header("X-Kept"));
    }

    [Fact]
    public async Task ConnectionNominatedResponseHeaders_AreNotForwardedToClient()
    {
        // Kestrel would not let an origin send these, so the origin speaks raw HTTP/1.1.
        await using var origin = new RawTcpServer(async (socket, _, token) =>
        {
            while (await RawHttp.ReadHeadAsync(socket, token) is not null)
            {
                await RawHttp.SendAsync(socket,
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive, X-Internal\r\n" +
                    "X-Internal: secret\r\nKeep-Alive: timeout=5\r\nX-Public: p\r\n\r\nok", token);
            }
        });
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("X-Internal"));
        Assert.False(response.Headers.Contains("Keep-Alive"));
        Assert.Equal("p", Assert.Single(response.Headers.GetValues("X-Public")));
    }

    [Fact]
    public async Task PooledConnectionClosedByOrigin_RequestIsRetriedOnFreshConnection()
    {
        // The origin answers the first request of each connection with keep-alive, then closes the
        // connection without answering when the next request arrives on it: the race a client of a
        // Keep-Alive: timeout=5 origin hits when its idle connection is closed as it is reused.
        await using var origin = new RawTcpServer(async (socket, _, token) =>
        {
            if (await RawHttp.ReadHeadAsync(socket, token) is null)
            {
                return;
            }

            await RawHttp.SendAsync(socket, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nKeep-Alive: timeout=5\r\n\r\nfirst", token);
            await RawHttp.ReadHeadAsync(socket, token);
            socket.Shutdown(SocketShutdown.Both);
        });
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);

        for (var i = 0; i < 5; i++)
        {
            using var response = await proxy.Client.GetAsync("/idempotent");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("first", await response.Content.ReadAsStringAsync());
        }

        Assert.True(origin.ConnectionCount >= 5, $"expected a fresh origin connection per retried request, saw {origin.ConnectionCount}");
    }

    [Fact]
    public async Task IdleConnectionClosedByOrigin_NextRequestSucceeds()
    {
        // The origin closes each connection right after answering, as a Keep-Alive: timeout origin
        // does once the timeout passes; the next request must not fail on the dead pooled connection.
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = new RawTcpServer(async (socket, _, token) =>
        {
            if (await RawHttp.ReadHeadAsync(socket, token) is null)
            {
                return;
            }

            await RawHttp.SendAsync(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=1\r\n\r\nok", token);
            socket.Shutdown(SocketShutdown.Both);
            closed.TrySetResult();
        });
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);

        using (var first = await proxy.Client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await closed.Task.WaitAsync(Timeout);
        using var second = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, origin.ConnectionCount);
    }
}
