using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using ZProxy.Transport.Buffers;
using ZProxy.Transport.Connections;
using ZProxy.Transport.Listening;
using ZProxy.Transport.Tests.Infrastructure;

namespace ZProxy.Transport.Tests;

public sealed class ZProxyConnectionTests
{
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Listener_ConnectionThatEnded_LeavesTheRegistry()
    {
        // The registry is what the send-rate heartbeat walks: a connection left in it would stay reachable
        // (and be walked) for the life of the listener.
        await using var listener = new ZProxyConnectionListener(new IPEndPoint(IPAddress.Loopback, 0), new ZProxyTransportOptions(), new PinnedBlockPool(), new SendCounters(), NullLogger.Instance);
        listener.Bind();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.EndPoint);
        var connection = await listener.AcceptAsync();
        Assert.NotNull(connection);
        Assert.Equal(1, listener.Registry.Count);

        client.Shutdown(SocketShutdown.Both);
        await connection.DisposeAsync();

        // DisposeAsync returns once both loops have ended, and the loops leave the registry as they end.
        Assert.Equal(0, listener.Registry.Count);
    }

    [Fact]
    public async Task Connection_SequentialRequests_KeptAliveOnOurTransport()
    {
        await using var host = await TransportTestHost.StartAsync();
        var body = host.AddBody("k", 64 * 1024);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);

        var ids = new HashSet<string>();
        for (var i = 0; i < 10; i++)
        {
            await client.SendAsync(RawHttpConnection.Get("/connection"));
            var id = System.Text.Encoding.ASCII.GetString((await client.ReadResponseAsync()).Body);
            ids.Add(id);
            await client.SendAsync(RawHttpConnection.Get("/hit/k"));
            var hit = await client.ReadResponseAsync();
            ids.Add(hit.Headers["X-Connection"]);
            Assert.Equal(Convert.ToHexString(body.Sha256()), hit.Sha256Hex);
        }

        var only = Assert.Single(ids);
        Assert.StartsWith("Z", only, StringComparison.Ordinal);
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Fact]
    public async Task Connection_ManyConcurrentPipelinedClients_ByteExactAndAllReleased()
    {
        await using var host = await TransportTestHost.StartAsync(transport: o => o.SocketSendBufferSize = 64 * 1024);
        var bodies = new[] { host.AddBody("c0", 3000), host.AddBody("c1", 90_000), host.AddBody("c2", 600_000) };
        var plain = Convert.ToHexString(SHA256.HashData(TransportTestHost.Pattern(20_000)));

        var clients = Enumerable.Range(0, 8).Select(async c =>
        {
            await using var client = await RawHttpConnection.ConnectAsync(host.Port, receiveBufferSize: 64 * 1024);
            for (var round = 0; round < 5; round++)
            {
                var batch = string.Concat(Enumerable.Range(0, 4).Select(i => i == 2
                    ? RawHttpConnection.Get("/plain/20000")
                    : RawHttpConnection.Get($"/hit/c{(c + i + round) % 3}?parts={1 + i}")));
                await client.SendAsync(batch);
                for (var i = 0; i < 4; i++)
                {
                    var response = await client.ReadResponseAsync();
                    var expected = i == 2 ? plain : Convert.ToHexString(bodies[(c + i + round) % 3].Sha256());
                    Assert.Equal(expected, response.Sha256Hex);
                }
            }
        });
        await Task.WhenAll(clients);

        foreach (var body in bodies)
        {
            await body.WaitForZeroAsync(ReleaseTimeout);
            Assert.Equal(0, body.Underflows);
        }

        Assert.Empty(host.Errors.Entries);
    }

    [Fact]
    public async Task Connection_LargeCopiedBodiesUnderBackpressure_ByteExact()
    {
        // 4 MiB written by the app through Kestrel: the owned-bytes threshold makes flushes wait.
        await using var host = await TransportTestHost.StartAsync(transport: o => o.SocketSendBufferSize = 32 * 1024);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port, receiveBufferSize: 32 * 1024);

        await client.SendAsync(RawHttpConnection.Get("/plain/4194304") + RawHttpConnection.Get("/plainchunked/1000000"));
        var first = await client.ReadResponseAsync();
        var second = await client.ReadResponseAsync();

        Assert.Equal(Convert.ToHexString(SHA256.HashData(TransportTestHost.Pattern(4_194_304))), first.Sha256Hex);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(TransportTestHost.Pattern(1_000_000))), second.Sha256Hex);
        Assert.Empty(host.Errors.Entries);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Connection_ClientGoesAwayMidBody_ReleasesAllOwners(bool reset)
    {
        await using var host = await TransportTestHost.StartAsync(transport: o => o.SocketSendBufferSize = 16 * 1024);
        var body = host.AddBody("big", 8 * 1024 * 1024);
        var client = await RawHttpConnection.ConnectAsync(host.Port, receiveBufferSize: 16 * 1024);

        await client.SendAsync(RawHttpConnection.Get("/hit/big?parts=8"));
        await host.WaitForResultsAsync(1);
        Assert.True(body.References > 0, "the queued segments should still be retained");

        if (reset)
        {
            // SO_LINGER 0: close sends RST.
            client.Socket.LingerState = new LingerOption(true, 0);
        }
        else
        {
            // Half-close: FIN from the client, which Kestrel treats as the end of the connection.
            client.Socket.Shutdown(SocketShutdown.Send);
        }

        if (reset)
        {
            await client.DisposeAsync();
        }

        await body.WaitForZeroAsync(ReleaseTimeout);
        Assert.Equal(0, body.Underflows);
        if (!reset)
        {
            Assert.True(await client.WaitForCloseAsync(ReleaseTimeout));
            await client.DisposeAsync();
        }

        // The server is still healthy.
        await using var next = await RawHttpConnection.ConnectAsync(host.Port);
        await next.SendAsync(RawHttpConnection.Get("/plain/1000"));
        Assert.Equal(200, (await next.ReadResponseAsync()).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Connection_ClientGoneDuringRequest_RequestAbortedFires(bool reset)
    {
        await using var host = await TransportTestHost.StartAsync();
        var client = await RawHttpConnection.ConnectAsync(host.Port);
        await client.SendAsync(RawHttpConnection.Get("/wait"));
        await host.WaitStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        if (reset)
        {
            client.Socket.LingerState = new LingerOption(true, 0);
        }
        else
        {
            client.Socket.Shutdown(SocketShutdown.Send);
        }

        await client.DisposeAsync();

        // The receive side ending fires ConnectionClosed, which Kestrel turns into RequestAborted.
        await host.WaitAborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Connection_Http10Request_HitByReferenceThenClosed()
    {
        await using var host = await TransportTestHost.StartAsync();
        var body = host.AddBody("h10", 100_000);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);

        await client.SendAsync("GET /hit/h10?parts=2 HTTP/1.0\r\nHost: localhost\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.Equal(Convert.ToHexString(body.Sha256()), response.Sha256Hex);
        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        await host.WaitForResultsAsync(1);
        Assert.Equal(100_000, host.SumBodyBytes("reference"));
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Fact]
    public async Task StopAsync_HitBodyInFlight_DrainsThenClosesAndReleases()
    {
        var host = await TransportTestHost.StartAsync(transport: o => o.SocketSendBufferSize = 32 * 1024);
        var body = host.AddBody("g", 4 * 1024 * 1024);
        try
        {
            await using var client = await RawHttpConnection.ConnectAsync(host.Port, receiveBufferSize: 32 * 1024);
            await client.SendAsync(RawHttpConnection.Get("/hit/g?parts=4"));
            await host.WaitForResultsAsync(1);

            // Graceful shutdown while most of the body is still queued in the transport.
            var stop = host.StopAsync();
            var response = await client.ReadResponseAsync(bytesPerSecond: 8 * 1024 * 1024);
            Assert.Equal(Convert.ToHexString(body.Sha256()), response.Sha256Hex);
            Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)), "the server should close the idle connection");
            await stop.WaitAsync(TimeSpan.FromSeconds(10));
            await body.WaitForZeroAsync(ReleaseTimeout);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
