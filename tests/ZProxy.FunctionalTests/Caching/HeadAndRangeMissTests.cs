using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using ZProxy.Proxy.Caching;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>
/// A HEAD or Range miss fills the cache with a full GET (as nginx's proxy_cache_convert_head and
/// Varnish do) and is answered from the store: the origin sees one GET without Range, the client
/// gets its HEAD or 206, and the next request is a hit.
/// </summary>
public sealed class HeadAndRangeMissTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly byte[] Body = RandomNumberGenerator.GetBytes(100_000);

    [Fact]
    public async Task HeadMiss_FetchesGetForTheStore_AnswersHeadersOnly_ThenGetHits()
    {
        var seen = new ConcurrentQueue<string>();
        await using var f = await CacheFixture.StartAsync(Origin(seen), output);

        using var head = await f.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/h"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(Body.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Contains("fwd=uri-miss", CacheAssert.Status(head));
        Assert.Contains("detail=head", CacheAssert.Status(head));

        // The HEAD was answered at the headers; the body may still be arriving.
        await FillsDone(f);
        using var get = await f.GetAsync("/h");
        CacheAssert.Hit(get);
        Assert.Equal(Body, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(["GET /h range="], seen);
    }

    [Theory]
    [InlineData("bytes=0-9", 0, 10)]
    [InlineData("bytes=99990-", 99_990, 10)]
    [InlineData("bytes=-5", 99_995, 5)]
    public async Task RangeMiss_FetchesWholeBodyForTheStore_Answers206_ThenRangesHit(string range, int start, int length)
    {
        var seen = new ConcurrentQueue<string>();
        await using var f = await CacheFixture.StartAsync(Origin(seen), output);

        using var partial = await f.GetAsync("/r", r => r.Headers.TryAddWithoutValidation("Range", range));
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal($"bytes {start}-{start + length - 1}/{Body.Length}", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal(Body.AsSpan(start, length).ToArray(), await partial.Content.ReadAsByteArrayAsync());
        Assert.Contains("detail=range", CacheAssert.Status(partial));

        await FillsDone(f);
        using var again = await f.GetAsync("/r", r => r.Headers.TryAddWithoutValidation("Range", "bytes=10-19"));
        CacheAssert.Hit(again);
        Assert.Equal(HttpStatusCode.PartialContent, again.StatusCode);
        Assert.Equal(Body.AsSpan(10, 10).ToArray(), await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(["GET /r range="], seen);
    }

    [Fact]
    public async Task RangeMiss_OnASlowOrigin_StreamsTheRangeBeforeTheBodyCompletes()
    {
        var releaseRest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new ConcurrentQueue<string>();
        await using var f = await CacheFixture.StartAsync(async context =>
        {
            seen.Enqueue($"{context.Request.Method} {context.Request.Path} range={context.Request.Headers.Range}");
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.ContentLength = Body.Length;
            await context.Response.Body.WriteAsync(Body.AsMemory(0, 50_000));
            await context.Response.Body.FlushAsync();
            await releaseRest.Task.WaitAsync(Timeout);
            await context.Response.Body.WriteAsync(Body.AsMemory(50_000));
        }, output);

        // The range lies in the half the origin has sent: it is answered while the rest is held back.
        using var partial = await f.GetAsync("/slow", r => r.Headers.TryAddWithoutValidation("Range", "bytes=100-199")).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(Body.AsSpan(100, 100).ToArray(), await partial.Content.ReadAsByteArrayAsync());

        releaseRest.SetResult();
        using var tail = await f.GetAsync("/slow", r => r.Headers.TryAddWithoutValidation("Range", "bytes=99000-")).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(Body.AsSpan(99_000).ToArray(), await tail.Content.ReadAsByteArrayAsync());
        Assert.Equal(["GET /slow range="], seen);
    }

    [Fact]
    public async Task HeadMiss_OfANotStorableResponse_IsAnsweredFromTheGetsHead()
    {
        var seen = new ConcurrentQueue<string>();
        await using var f = await CacheFixture.StartAsync(context =>
        {
            seen.Enqueue(context.Request.Method);
            context.Response.Headers.CacheControl = "no-store";
            context.Response.ContentLength = 5;
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync("hello");
        }, output);

        using var head = await f.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/private"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(5, head.Content.Headers.ContentLength);
        CacheAssert.NotHit(head);

        // The GET's status and fields answered the HEAD: one origin trip, nothing stored.
        Assert.Equal(["GET"], seen);
        Assert.Contains("detail=head", CacheAssert.Status(head));

        // Marked hit-for-miss: the next HEAD goes to the origin as it is.
        await FillsDone(f);
        using var again = await f.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/private"));
        Assert.Equal(5, again.Content.Headers.ContentLength);
        Assert.Equal(["GET", "HEAD"], seen);
    }

    private static async Task FillsDone(CacheFixture f)
    {
        var fills = f.Proxy.Services.GetRequiredService<FillTable>();
        var deadline = DateTime.UtcNow + Timeout;
        while (fills.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the fill did not end in time");
            await Task.Delay(10);
        }
    }

    private static Func<HttpContext, Task> Origin(ConcurrentQueue<string> seen) => context =>
    {
        seen.Enqueue($"{context.Request.Method} {context.Request.Path} range={context.Request.Headers.Range}");
        context.Response.Headers.CacheControl = "max-age=60";
        context.Response.Headers.ETag = "\"v1\"";
        context.Response.ContentLength = Body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(Body).AsTask();
    };
}
