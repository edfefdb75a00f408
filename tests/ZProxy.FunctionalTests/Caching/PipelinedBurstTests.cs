using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>
/// Many requests written at once on one connection, mixing misses, hits, HEAD, 304 and ranges over
/// bodies of 1 KiB to 1 MiB: every response byte-exact, in order, on one kept-alive connection.
/// </summary>
public sealed class PipelinedBurstTests(ITestOutputHelper output)
{
    private static readonly int[] Sizes = [1024, 16 * 1024, 128 * 1024, 1024 * 1024];
    private static readonly Dictionary<int, byte[]> Bodies = Sizes.ToDictionary(s => s, RandomNumberGenerator.GetBytes);

    [Fact]
    public async Task PipelinedMix_IsByteExact_AndKeepsTheConnection()
    {
        await using var f = await CacheFixture.StartAsync(async context =>
        {
            var size = int.Parse(context.Request.Path.Value!.Trim('/'));
            context.Response.Headers.CacheControl = "max-age=600";
            context.Response.Headers.ETag = $"\"{size}\"";
            context.Response.ContentLength = size;
            await context.Response.Body.WriteAsync(Bodies[size]);
        }, output);

        var requests = new List<(string Text, Func<RawResponse, bool> Check, string Name)>();
        foreach (var size in Sizes)
        {
            var body = Bodies[size];
            requests.Add(($"GET /{size} HTTP/1.1\r\nHost: t\r\n\r\n", r => r.Status == 200 && Same(r.Body, body), $"miss {size}"));
            requests.Add(($"GET /{size} HTTP/1.1\r\nHost: t\r\n\r\n", r => r.Status == 200 && Same(r.Body, body) && IsHit(r), $"hit {size}"));
            requests.Add(($"HEAD /{size} HTTP/1.1\r\nHost: t\r\n\r\n", r => r.Status == 200 && r.Body.Length == 0, $"head {size}"));
            requests.Add(($"GET /{size} HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"{size}\"\r\n\r\n", r => r.Status == 304 && r.Body.Length == 0, $"304 {size}"));
            requests.Add(($"GET /{size} HTTP/1.1\r\nHost: t\r\nRange: bytes=10-{size / 2}\r\n\r\n",
                r => r.Status == 206 && Same(r.Body, body.AsSpan(10, (size / 2) - 9).ToArray()), $"range {size}"));
            requests.Add(($"GET /{size} HTTP/1.1\r\nHost: t\r\n\r\n", r => r.Status == 200 && Same(r.Body, body), $"hit again {size}"));
        }

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, f.Proxy.BaseAddress.Port);
        var stream = client.GetStream();

        // Misses must complete before the burst relies on them being hits: warm each size first on
        // the same connection, then write everything else in one go.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var warm = requests.Where(r => r.Name.StartsWith("miss", StringComparison.Ordinal)).ToList();
        foreach (var (text, check, name) in warm)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(text), timeout.Token);
            var response = await RawHttp.ReadResponseAsync(stream, timeout.Token, isHead: false);
            Assert.True(check(response), name);
        }

        var burst = requests.Except(warm).ToList();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(string.Concat(burst.Select(r => r.Text))), timeout.Token);
        foreach (var (text, check, name) in burst)
        {
            var response = await RawHttp.ReadResponseAsync(stream, timeout.Token, isHead: text.StartsWith("HEAD", StringComparison.Ordinal));
            Assert.True(check(response), $"{name}: status {response.Status}, {response.Body.Length} bytes");
            Assert.DoesNotContain("close", response.Values("Connection"));
        }

        Assert.Equal(Sizes.Length, f.Origin.RequestCount);
        Assert.DoesNotContain(f.Proxy.Logs.Entries, e => e.Category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal));
    }

    private static bool Same(byte[] a, byte[] b) => SHA256.HashData(a).AsSpan().SequenceEqual(SHA256.HashData(b));

    private static bool IsHit(RawResponse response) => response.Values("Cache-Status").Any(v => v.Contains("; hit", StringComparison.Ordinal));
}
