using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZProxy.Transport.Tests.Infrastructure;

namespace ZProxy.Transport.Tests.Benchmarks;

/// <summary>
/// CPU per request of a cache-hit body served by ZProxy's transport (by reference) and by
/// Kestrel's socket transport (copied), as separate processes so each can be pinned:
/// <code>
/// taskset -c 0 dotnet ZProxy.Transport.Tests.dll bench-server zerocopy 131072 5099
/// taskset -c 1 dotnet ZProxy.Transport.Tests.dll bench-client 5099 131072 4 10
/// </code>
/// The client prints requests per second; the server's CPU is read from
/// /proc/&lt;pid&gt;/schedstat by the caller (see loadtests or the report for the script).
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length >= 4 && args[0] == "bench-server")
        {
            await RunServerAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
            return 0;
        }

        if (args.Length >= 5 && args[0] == "bench-client")
        {
            return await RunClientAsync(
                int.Parse(args[1], CultureInfo.InvariantCulture),
                int.Parse(args[2], CultureInfo.InvariantCulture),
                int.Parse(args[3], CultureInfo.InvariantCulture),
                double.Parse(args[4], CultureInfo.InvariantCulture));
        }

        Console.Error.WriteLine("usage: bench-server <zerocopy|kestrel> <bodySize> <port> | bench-client <port> <bodySize> <connections> <seconds>");
        return 2;
    }

    private static async Task RunServerAsync(string mode, int size, int port)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        if (mode == "zerocopy")
        {
            builder.WebHost.UseZProxyTransport();
        }
        else
        {
            builder.Services.AddZProxyHitBody();
        }

        using var body = SealedTestMemory.Create(size, seed: 7);
        var segments = body.Segments(1);
        var app = builder.Build();
        app.MapGet("/hit", async (HttpContext context) =>
        {
            body.Retain();
            try
            {
                context.Response.ContentType = "application/octet-stream";
                await context.Response.SendSealedBodyAsync(segments, body, context.RequestAborted);
            }
            finally
            {
                body.Release();
            }
        });

        await app.StartAsync();
        Console.WriteLine($"READY {Environment.ProcessId}");
        await Console.In.ReadLineAsync();
        await app.StopAsync();
    }

    private static async Task<int> RunClientAsync(int port, int size, int connections, double seconds)
    {
        var request = Encoding.ASCII.GetBytes("GET /hit HTTP/1.1\r\nHost: bench\r\n\r\n");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        long requests = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(async _ =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            var buffer = new byte[256 * 1024];
            while (!stop.IsCancellationRequested)
            {
                await socket.SendAsync(request, SocketFlags.None);
                await ReadResponseAsync(socket, buffer, size);
                Interlocked.Increment(ref requests);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests {requests} seconds {elapsed:F2} rps {requests / elapsed:F0}"));
        return 0;
    }

    // The head ends with \r\n\r\n and the body is exactly `size` bytes (Content-Length); no
    // pipelining, so everything read belongs to this response. The head arrives in the first
    // read in practice; the loop keeps looking if not.
    private static async Task ReadResponseAsync(Socket socket, byte[] buffer, int size)
    {
        long total = 0;
        long expected = -1;
        var filled = 0;
        while (expected < 0 || total < expected)
        {
            var offset = expected < 0 ? filled : 0;
            var read = await socket.ReceiveAsync(buffer.AsMemory(offset), SocketFlags.None);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            total += read;
            if (expected < 0)
            {
                filled += read;
                var index = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
                if (index >= 0)
                {
                    expected = index + 4 + size;
                }
            }
        }
    }
}
