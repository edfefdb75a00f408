using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using ZProxy.Transport.Tests.Infrastructure;

namespace ZProxy.Transport.Tests;

/// <summary>Runs alone: it counts every first-chance exception the process throws.</summary>
[CollectionDefinition(nameof(FirstChanceExceptionCount), DisableParallelization = true)]
public sealed class FirstChanceExceptionCount;

/// <summary>
/// Closing a connection throws nothing. When the server ends a connection (HTTP/1.0, or
/// <c>Connection: close</c>, as <c>ab</c> without <c>-k</c> asks) its receive is still pending; a
/// receive that threw for the abort cost two first-chance exceptions per connection.
/// </summary>
[Collection(nameof(FirstChanceExceptionCount))]
public sealed class ConnectionCloseExceptionTests
{
    private const int Connections = 20;

    [Theory]
    [InlineData("GET /hit/c HTTP/1.0\r\nHost: localhost\r\n\r\n")]
    [InlineData("GET /hit/c HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")]
    public async Task ServerClosesAfterResponse_NoExceptionThrown(string request)
    {
        await using var host = await TransportTestHost.StartAsync();
        var body = host.AddBody("c", 10_000);
        var thrown = new List<string>();
        void Count(object? sender, FirstChanceExceptionEventArgs e)
        {
            // Only what passed through the transport's connection code (a rethrow carries the frames
            // it crossed), so a socket of another test's client, closing late, cannot count.
            if (e.Exception is SocketException && e.Exception.StackTrace?.Contains("ZProxy.Transport.Connections", StringComparison.Ordinal) == true)
            {
                lock (thrown)
                {
                    thrown.Add(e.Exception.Message + e.Exception.StackTrace);
                }
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                await using var client = await RawHttpConnection.ConnectAsync(host.Port);
                await client.SendAsync(request);
                var response = await client.ReadResponseAsync();
                Assert.Equal(Convert.ToHexString(body.Sha256()), response.Sha256Hex);
                Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
            }

            await host.WaitForResultsAsync(Connections);
            await body.WaitForZeroAsync(TimeSpan.FromSeconds(10));

            // The last connection's receive ends after the client saw the close: give it time to.
            await Task.Delay(500);
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        lock (thrown)
        {
            Assert.Empty(thrown);
        }
    }
}
