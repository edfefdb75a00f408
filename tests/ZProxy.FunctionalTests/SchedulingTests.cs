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

        // One keep-alive connection, requests spaced out. A request whose bytes are there before the server
        // reads again runs on the thread that finished the previous one: the first request of a connection on
        // the pool thread Kestrel started the connection on, and on a loaded machine a later one now and then.
        // A request the server waited for arrives through the socket's completion, on an event thread.
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = proxy.BaseAddress };
        var seen = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            seen.Add(await client.GetStringAsync(ProbePath));
            await Task.Delay(50);
        }

        output.WriteLine(string.Join(", ", seen));
        if (expectedThread == "pool")
        {
            Assert.All(seen, thread => Assert.Equal("pool", thread));
        }
        else
        {
            Assert.All(seen, thread => Assert.Contains(thread, new[] { "pool", SocketEventThread }));
            Assert.True(seen.Skip(1).Count(thread => thread == SocketEventThread) >= 5, string.Join(", ", seen));
        }
    }

    [Fact]
    public async Task SlowOriginResponses_DoNotHoldUpHitsOnOtherConnections()
    {
        // Inline scheduling runs requests on the few socket event threads, so nothing on the request path may
        // block: misses waiting on a slow origin (its head, then its body) must leave those threads free.
        var releaseSlow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await TestOrigin.StartAsync(async context =>
        {
            context.Response.Headers.CacheControl = "max-age=3600";
            if (context.Request.Path.StartsWithSegments("/slow-head"))
            {
                await releaseSlow.Task;
            }

            await context.Response.WriteAsync("body of " + context.Request.Path);
            if (context.Request.Path.StartsWithSegments("/slow-body"))
            {
                await context.Response.Body.FlushAsync();
                await releaseSlow.Task;
                await context.Response.WriteAsync(" and its end");
            }
        });
        await using var proxy = await ZProxyServer.StartAsync(ProxyConfig.CatchAll(origin.BaseAddress), output);
        Assert.Equal("body of /fast", await proxy.Client.GetStringAsync("/fast"));

        // More stalled misses than the machine has event threads, each on its own connection.
        var stalled = Enumerable.Range(0, 2 * Environment.ProcessorCount + 2)
            .Select(i => proxy.Client.GetStringAsync(i % 2 == 0 ? $"/slow-head/{i}" : $"/slow-body/{i}"))
            .ToList();
        await Task.Delay(200);

        using var hitClient = new HttpClient { BaseAddress = proxy.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("body of /fast", await hitClient.GetStringAsync("/fast"));
        }

        watch.Stop();
        Assert.All(stalled, task => Assert.False(task.IsCompleted));
        releaseSlow.SetResult();
        foreach (var task in stalled)
        {
            Assert.StartsWith("body of /slow-", await task);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"50 hits took {watch.Elapsed} while misses were stalled");
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
