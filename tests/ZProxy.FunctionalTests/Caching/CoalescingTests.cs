using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using ZProxy.Proxy.Caching;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>Request coalescing and read-while-writing: concurrent misses cause one origin fetch.</summary>
public sealed class CoalescingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FiftyConcurrentMisses_OneOriginFetch_WaitersStreamBeforeBodyCompletes()
    {
        const int Clients = 50;
        var firstHalf = RandomNumberGenerator.GetBytes(256 * 1024);
        var secondHalf = RandomNumberGenerator.GetBytes(256 * 1024);
        var releaseSecondHalf = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var f = await CacheFixture.StartAsync(async context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.ContentLength = firstHalf.Length + secondHalf.Length;
            await context.Response.Body.WriteAsync(firstHalf);
            await context.Response.Body.FlushAsync();
            await releaseSecondHalf.Task.WaitAsync(Timeout);
            await context.Response.Body.WriteAsync(secondHalf);
        }, output);

        // All clients get their headers and the first half while the origin still holds the second.
        var responses = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ =>
            f.Client.GetAsync("/big", HttpCompletionOption.ResponseHeadersRead)));
        var streams = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStreamAsync()));
        await Task.WhenAll(streams.Select(async s =>
        {
            var buffer = new byte[firstHalf.Length];
            await s.ReadExactlyAsync(buffer).AsTask().WaitAsync(Timeout);
            Assert.Equal(firstHalf, buffer);
        }));
        Assert.Equal(1, f.Origin.RequestCount);

        releaseSecondHalf.SetResult();
        var rest = await Task.WhenAll(streams.Select(async s =>
        {
            using var copy = new MemoryStream();
            await s.CopyToAsync(copy).WaitAsync(Timeout);
            return copy.ToArray();
        }));

        Assert.All(rest, bytes => Assert.Equal(secondHalf, bytes));
        Assert.Equal(1, f.Origin.RequestCount);
        Assert.Equal(Clients - 1, responses.Count(r => CacheAssert.Status(r).Contains("collapsed")));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task NotStorableResponse_WaitersGoToOriginThemselves_ThenHitForMissSkipsQueue()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        await using var f = await CacheFixture.StartAsync(async context =>
        {
            if (Interlocked.Increment(ref arrived) == 1)
            {
                await gate.Task.WaitAsync(Timeout);
            }

            context.Response.Headers.CacheControl = "private";
            await context.Response.WriteAsync("private " + arrived);
        }, output);

        var leader = f.GetAsync("/p");
        await WaitUntil(() => Volatile.Read(ref arrived) == 1);
        var waiters = Enumerable.Range(0, 5).Select(_ => f.GetAsync("/p")).ToArray();
        gate.SetResult();
        var all = await Task.WhenAll(waiters.Append(leader));

        Assert.All(all, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(6, f.Origin.RequestCount);

        // Hit-for-miss: the next request is forwarded straight away, never queued behind another.
        using var next = await f.GetAsync("/p");
        Assert.Equal(7, f.Origin.RequestCount);
    }

    [Fact]
    public async Task OriginResetsMidBody_NothingStored_ClientsSeeAbortedResponses()
    {
        var attempts = 0;
        var clientHasHeaders = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var f = await CacheFixture.StartAsync(async context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.ContentLength = 100_000;
            await context.Response.Body.WriteAsync(new byte[10_000]);
            await context.Response.Body.FlushAsync();
            if (Interlocked.Increment(ref attempts) == 1)
            {
                // Die only once the client is reading the body, so the failure is mid-body, not before headers.
                await clientHasHeaders.Task.WaitAsync(Timeout);
                context.Abort();
                return;
            }

            await context.Response.Body.WriteAsync(new byte[90_000]);
        }, output);

        using var broken = await f.Client.GetAsync("/r", HttpCompletionOption.ResponseHeadersRead);
        clientHasHeaders.SetResult();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => broken.Content.ReadAsByteArrayAsync());

        // The failed fill leaves the coalescing table a moment after the client saw the reset; a request
        // arriving before that would (correctly) join the dying fill and be reset too.
        var fills = f.Proxy.Services.GetRequiredService<FillTable>();
        await WaitUntil(() => fills.Count == 0);

        using var second = await f.GetAsync("/r");
        Assert.Equal(100_000, (await second.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(2, f.Origin.RequestCount); // the short body was not stored
        using var third = await f.GetAsync("/r");
        CacheAssert.Hit(third);
    }

    [Fact]
    public async Task LeaderDisconnectsMidBody_FetchContinues_WaiterGetsWholeBody_ThenHit()
    {
        var firstHalf = RandomNumberGenerator.GetBytes(128 * 1024);
        var secondHalf = RandomNumberGenerator.GetBytes(128 * 1024);
        var releaseSecondHalf = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var f = await CacheFixture.StartAsync(async context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.ContentLength = firstHalf.Length + secondHalf.Length;
            await context.Response.Body.WriteAsync(firstHalf);
            await context.Response.Body.FlushAsync();
            await releaseSecondHalf.Task.WaitAsync(Timeout);
            await context.Response.Body.WriteAsync(secondHalf);
        }, output);

        // The leader (a raw connection) reads its headers, then resets the connection while the origin
        // holds the rest of the body.
        using var leader = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await leader.ConnectAsync(IPAddress.Loopback, f.Proxy.BaseAddress.Port);
        await RawHttp.SendAsync(leader, $"GET /lead HTTP/1.1\r\nHost: {f.Proxy.BaseAddress.Authority}\r\n\r\n", CancellationToken.None);
        var head = await RawHttp.ReadHeadAsync(leader, CancellationToken.None).WaitAsync(Timeout);
        Assert.StartsWith("HTTP/1.1 200", head);
        using var waiter = await f.Client.GetAsync("/lead", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Contains("collapsed", CacheAssert.Status(waiter));
        leader.LingerState = new LingerOption(true, 0);
        leader.Close();

        // As Varnish's background fetch: the origin transfer goes on for the waiter and the store.
        await Task.Delay(200);
        releaseSecondHalf.SetResult();
        var body = await waiter.Content.ReadAsByteArrayAsync().WaitAsync(Timeout);
        Assert.Equal([.. firstHalf, .. secondHalf], body);

        var fills = f.Proxy.Services.GetRequiredService<FillTable>();
        await WaitUntil(() => fills.Count == 0);
        using var hit = await f.GetAsync("/lead");
        CacheAssert.Hit(hit);
        Assert.Equal(1, f.Origin.RequestCount);
    }

    [Fact]
    public async Task LoneClientDisconnectsMidBody_StorableFillCompletes_ThenHit()
    {
        var releaseRest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var body = RandomNumberGenerator.GetBytes(200_000);
        await using var f = await CacheFixture.StartAsync(async context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body.AsMemory(0, 1000));
            await context.Response.Body.FlushAsync();
            await releaseRest.Task.WaitAsync(Timeout);
            await context.Response.Body.WriteAsync(body.AsMemory(1000));
        }, output);

        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await client.ConnectAsync(IPAddress.Loopback, f.Proxy.BaseAddress.Port);
            await RawHttp.SendAsync(client, $"GET /alone HTTP/1.1\r\nHost: {f.Proxy.BaseAddress.Authority}\r\n\r\n", CancellationToken.None);
            Assert.StartsWith("HTTP/1.1 200", await RawHttp.ReadHeadAsync(client, CancellationToken.None).WaitAsync(Timeout));
            client.LingerState = new LingerOption(true, 0);
        }

        // The response was being stored when the client left: the transfer goes on into the store.
        await Task.Delay(200);
        releaseRest.SetResult();
        var fills = f.Proxy.Services.GetRequiredService<FillTable>();
        await WaitUntil(() => fills.Count == 0);
        using var hit = await f.GetAsync("/alone");
        CacheAssert.Hit(hit);
        Assert.Equal(body, await hit.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, f.Origin.RequestCount);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
