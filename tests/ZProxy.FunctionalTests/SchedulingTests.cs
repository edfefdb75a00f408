using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using ZProxy.FunctionalTests.Infrastructure;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests;

/// <summary>
/// <c>ZProxy:Transport:Scheduling</c>: with <c>Inline</c> (the default) a request runs on the runtime's socket
/// event thread that received it, with <c>ThreadPool</c> on a pool thread. Measured in the process itself, so
/// the test also fails if the runtime's inline completions are not in effect (tests/tests.runsettings).
/// </summary>
public sealed class SchedulingTests(ITestOutputHelper output)
{
    private const string ProbePath = "/__test/thread";

    // The name the runtime gives its epoll threads (SocketAsyncEngine.Unix.cs).
    private const string SocketEventThread = ".NET Sockets";

    [Theory]
    [InlineData(null, SocketEventThread)]
    [InlineData("Inline", SocketEventThread)]
    [InlineData("ThreadPool", "pool")]
    public async Task Requests_RunWhereSchedulingSays(string? scheduling, string expectedThread)
    {
        var settings = new Dictionary<string, string?> { ["ZProxy:Transport:Scheduling"] = scheduling };
        await using var proxy = await ZProxyServer.StartAsync(settings, output, builder =>
            builder.Services.AddSingleton<IStartupFilter>(new ThreadProbe()));

        // One keep-alive connection. Its first request may run where Kestrel started the connection (a pool
        // thread) when its bytes were there before Kestrel's first read; every later one arrives on the socket.
        var seen = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            seen.Add(await proxy.Client.GetStringAsync(ProbePath));
        }

        Assert.All(seen.Skip(1), thread => Assert.Equal(expectedThread, thread));
    }

    /// <summary>Answers the probe path, ahead of the whole pipeline, with the kind of thread it runs on.</summary>
    private sealed class ThreadProbe : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path != ProbePath)
                {
                    await nextMiddleware(context);
                    return;
                }

                var thread = Thread.CurrentThread;
                var body = Encoding.ASCII.GetBytes(thread.IsThreadPoolThread ? "pool" : thread.Name ?? "unnamed");
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body);
            });
            next(app);
        };
    }
}
