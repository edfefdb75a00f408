using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ZProxy.PageBlocks;
using ZProxy.Transport.Connections;
using ZProxy.Transport.Metrics;
using ZProxy.Transport.Tests.Infrastructure;

namespace ZProxy.Transport.Tests;

public sealed class HitBodySenderTests
{
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The zero-copy guard: fails if a Kestrel upgrade (or a change here) silently turns the
    /// reference hand-off into copies.
    /// </summary>
    [Fact]
    public async Task SendAsync_ManyHitsOnPlainConnection_AllBodyBytesByReference()
    {
        await using var host = await TransportTestHost.StartAsync();
        int[] sizes = [1024, 16 * 1024, 128 * 1024, 1024 * 1024, 1, 4095, 4096, 70_000];
        for (var i = 0; i < sizes.Length; i++)
        {
            host.AddBody($"b{i}", sizes[i]);
        }

        await using var client = await RawHttpConnection.ConnectAsync(host.Port);
        long expected = 0;
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < sizes.Length; i++)
            {
                await client.SendAsync(RawHttpConnection.Get($"/hit/b{i}?parts={1 + (i % 3)}"));
                var response = await client.ReadResponseAsync();
                Assert.Equal(200, response.Status);
                Assert.Equal(Convert.ToHexString(host.Bodies[$"b{i}"].Sha256()), response.Sha256Hex);
                expected += sizes[i];
            }
        }

        await host.WaitForResultsAsync(3 * sizes.Length);
        Assert.Equal(expected, host.SumBodyBytes("reference"));
        Assert.Equal(0, host.SumBodyBytes("copy"));
        Assert.Equal(0, host.SumBodyBytes("sendfile"));
        Assert.Equal(0, host.CountFallbacks());
        await WaitForSentBytesAsync(host.Counters!, expected);
        Assert.True(host.Counters!.SendmsgBytes + host.Counters.SendAsyncBytes >= expected);
        Assert.Equal(0, host.Counters.SendfileBytes);
        Assert.All(host.Results, r => Assert.Null(r.CopyReason));
        foreach (var body in host.Bodies.Values)
        {
            await body.WaitForZeroAsync(ReleaseTimeout);
            Assert.True(body.MaxReferences >= 2, "the transport never retained the owner");
            Assert.Equal(0, body.Underflows);
        }

        Assert.Empty(host.Errors.Entries);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendAsync_PipelinedMixOfHitsAndOrdinaryResponses_ByteExactAndKeepsConnection(bool zproxyTransport)
    {
        await using var host = await TransportTestHost.StartAsync(zproxyTransport);
        var small = host.AddBody("small", 1024);
        var medium = host.AddBody("medium", 200_000);
        var large = host.AddBody("large", 1024 * 1024);

        var requests = new List<(string Request, bool Head, Func<RawResponse, string> Expected)>
        {
            (RawHttpConnection.Get("/hit/small"), false, _ => Hex(small.Sha256())),
            (RawHttpConnection.Get("/plain/300000"), false, _ => Hex(SHA256.HashData(TransportTestHost.Pattern(300_000)))),
            (RawHttpConnection.Get("/hit/large?parts=5"), false, _ => Hex(large.Sha256())),
            (RawHttpConnection.Get("/hit/medium", method: "HEAD"), true, _ => Hex(SHA256.HashData([]))),
            (RawHttpConnection.Get("/plainchunked/50000"), false, _ => Hex(SHA256.HashData(TransportTestHost.Pattern(50_000)))),
            (RawHttpConnection.Get("/hit/medium?status=304"), false, _ => Hex(SHA256.HashData([]))),
            (RawHttpConnection.Get("/hit/large?parts=4&range=1000-700000"), false, _ => Hex(large.Sha256(1000, 699_001))),
            (RawHttpConnection.Get("/hit/medium?parts=2"), false, _ => Hex(medium.Sha256())),
            (RawHttpConnection.Get("/hit/small?chunked=1"), false, _ => Hex(small.Sha256())),
            (RawHttpConnection.Get("/hit/large", close: true), false, _ => Hex(large.Sha256())),
        };

        await using var client = await RawHttpConnection.ConnectAsync(host.Port);
        await client.SendAsync(string.Concat(requests.Select(r => r.Request)));

        string? connection = null;
        RawResponse? response = null;
        foreach (var (request, head, expected) in requests)
        {
            response = await client.ReadResponseAsync(head);
            Assert.True(response.Status is 200 or 206 or 304, $"{request}: {response.Status}");
            Assert.Equal(expected(response), response.Sha256Hex);
            if (response.Headers.TryGetValue("X-Connection", out var id))
            {
                connection ??= id;
                Assert.Equal(connection, id);
            }
        }

        Assert.Equal("close", response!.Headers["Connection"]);
        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)), "Connection: close was not honoured");
        foreach (var body in host.Bodies.Values)
        {
            await body.WaitForZeroAsync(ReleaseTimeout);
        }

        Assert.Empty(host.Errors.Entries);
    }

    [Theory]
    [InlineData("HEAD", "", 200)]
    [InlineData("GET", "?status=204", 204)]
    [InlineData("GET", "?status=304", 304)]
    public async Task SendAsync_ResponseWithoutBody_SendsNoBodyBytes(string method, string query, int status)
    {
        await using var host = await TransportTestHost.StartAsync();
        var body = host.AddBody("x", 50_000);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);

        // A second request behind it proves no stray body bytes were sent: they would be parsed
        // as the next response's status line.
        await client.SendAsync(RawHttpConnection.Get("/hit/x" + query, method: method) + RawHttpConnection.Get("/hit/x"));
        var first = await client.ReadResponseAsync(head: true);
        var second = await client.ReadResponseAsync();

        Assert.Equal(status, first.Status);
        if (method == "HEAD")
        {
            Assert.Equal("50000", first.Headers["Content-Length"]);
        }

        Assert.Equal(200, second.Status);
        Assert.Equal(Hex(body.Sha256()), second.Sha256Hex);
        await host.WaitForResultsAsync(2);
        Assert.Equal(50_000, host.SumBodyBytes("reference"));
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Fact]
    public async Task SendAsync_RangeAcrossSegments_SendsExactSliceByReference()
    {
        await using var host = await TransportTestHost.StartAsync();
        var body = host.AddBody("r", 300_000);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);

        await client.SendAsync(RawHttpConnection.Get("/hit/r?parts=7&range=12345-234567"));
        var response = await client.ReadResponseAsync();

        Assert.Equal(206, response.Status);
        Assert.Equal("bytes 12345-234567/300000", response.Headers["Content-Range"]);
        Assert.Equal(Hex(body.Sha256(12345, 234567 - 12345 + 1)), response.Sha256Hex);
        await host.WaitForResultsAsync(1);
        Assert.Equal(234567 - 12345 + 1, host.SumBodyBytes("reference"));
        Assert.Equal(0, host.SumBodyBytes("copy"));
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Fact]
    public async Task SendAsync_ChunkedResponse_FallsBackToCopyWithReason()
    {
        await using var host = await TransportTestHost.StartAsync();
        var body = host.AddBody("c", 100_000);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);

        await client.SendAsync(RawHttpConnection.Get("/hit/c?chunked=1&parts=3"));
        var response = await client.ReadResponseAsync();

        Assert.Equal("chunked", response.Headers["Transfer-Encoding"]);
        Assert.Equal(Hex(body.Sha256()), response.Sha256Hex);
        await host.WaitForResultsAsync(1);
        Assert.Equal(100_000, host.SumBodyBytes("copy"));
        Assert.Equal(0, host.SumBodyBytes("reference"));
        Assert.Equal(1, host.CountFallbacks(HitBodyCopyReasons.Chunked));
        Assert.True(host.Results.TryPeek(out var result));
        Assert.Equal(HitBodyCopyReasons.Chunked, result.CopyReason);
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Fact]
    public async Task SendAsync_WrappedResponseWriter_CopiesWithBodyWrappedReason()
    {
        await using var host = await TransportTestHost.StartAsync();
        var body = host.AddBody("w", 100_000);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);

        await client.SendAsync(RawHttpConnection.Get("/hit/w?wrap=1&parts=2") + RawHttpConnection.Get("/hit/w"));
        Assert.Equal(Hex(body.Sha256()), (await client.ReadResponseAsync()).Sha256Hex);
        Assert.Equal(Hex(body.Sha256()), (await client.ReadResponseAsync()).Sha256Hex);

        await host.WaitForResultsAsync(2);
        Assert.Equal(100_000, host.SumBodyBytes("copy"));
        Assert.Equal(100_000, host.SumBodyBytes("reference"));
        Assert.Equal(1, host.CountFallbacks(HitBodyCopyReasons.BodyWrapped));
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Fact]
    public async Task SendAsync_KestrelSocketTransport_CopiesWithForeignTransportReason()
    {
        await using var host = await TransportTestHost.StartAsync(zproxyTransport: false);
        var body = host.AddBody("k", 150_000);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);

        await client.SendAsync(RawHttpConnection.Get("/hit/k?parts=2") + RawHttpConnection.Get("/hit/k"));
        var first = await client.ReadResponseAsync();
        var second = await client.ReadResponseAsync();

        Assert.Equal(Hex(body.Sha256()), first.Sha256Hex);
        Assert.Equal(Hex(body.Sha256()), second.Sha256Hex);
        await host.WaitForResultsAsync(2);
        Assert.Equal(300_000, host.SumBodyBytes("copy"));
        Assert.Equal(2, host.CountFallbacks(HitBodyCopyReasons.ForeignTransport));
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Fact]
    public async Task SendAsync_SendfileThresholdAndMemfd_SendsWithSendfileByteExact()
    {
        await using var host = await TransportTestHost.StartAsync(transport: o => o.SendfileThreshold = 64 * 1024);
        var body = host.AddBody("f", 1024 * 1024 + 123, memfd: true);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);

        // Four segments of ~256 KiB go by sendfile; the range's small tail goes by sendmsg.
        await client.SendAsync(RawHttpConnection.Get("/hit/f?parts=4") + RawHttpConnection.Get("/hit/f?parts=4&range=100-70000"));
        var whole = await client.ReadResponseAsync();
        var range = await client.ReadResponseAsync();

        Assert.Equal(Hex(body.Sha256()), whole.Sha256Hex);
        Assert.Equal(Hex(body.Sha256(100, 69_901)), range.Sha256Hex);
        await host.WaitForResultsAsync(2);
        Assert.Equal(1024 * 1024 + 123 + 69_901, host.SumBodyBytes("sendfile"));
        Assert.Equal(0, host.SumBodyBytes("copy"));

        // The kernel really took bytes through sendfile(2) (the rest went from the mapping while
        // waiting for the socket to drain).
        Assert.True(host.Counters!.SendfileBytes > 0);
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Fact]
    public async Task SendAsync_Tls_CopiesWithTlsReasonByteExact()
    {
        using var certificate = TestCertificate.Create();
        await using var host = await TransportTestHost.StartAsync(certificate: certificate);
        var body = host.AddBody("t", 300_000);
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var client = new HttpClient(handler);

        var bytes = await client.GetByteArrayAsync($"https://127.0.0.1:{host.Port}/hit/t?parts=3");

        Assert.Equal(Hex(body.Sha256()), Hex(SHA256.HashData(bytes)));
        await host.WaitForResultsAsync(1);
        Assert.Equal(300_000, host.SumBodyBytes("copy"));
        Assert.Equal(1, host.CountFallbacks(HitBodyCopyReasons.Tls));
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Fact]
    public async Task SendAsync_Http2PriorKnowledge_CopiesWithProtocolReasonByteExact()
    {
        await using var host = await TransportTestHost.StartAsync(protocols: Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
        var body = host.AddBody("h2", 300_000);
        using var client = new HttpClient();

        // h2c with prior knowledge: HTTP/2 frames over ZProxy's transport.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{host.Port}/hit/h2?parts=3")
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(System.Net.HttpVersion.Version20, response.Version);
        Assert.Equal(Hex(body.Sha256()), Hex(SHA256.HashData(bytes)));
        await host.WaitForResultsAsync(1);
        Assert.Equal(300_000, host.SumBodyBytes("copy"));
        Assert.Equal(1, host.CountFallbacks(HitBodyCopyReasons.Protocol));
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SendAsync_RequestResponseHits_SentInlineByTheFlushingThreadWhenEnabled(bool sendInline)
    {
        await using var host = await TransportTestHost.StartAsync(transport: o => o.SendInline = sendInline);
        var body = host.AddBody("i", 20_000);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);
        for (var i = 0; i < 20; i++)
        {
            await client.SendAsync(RawHttpConnection.Get("/hit/i?parts=2"));
            Assert.Equal(Hex(body.Sha256()), (await client.ReadResponseAsync()).Sha256Hex);
        }

        await host.WaitForResultsAsync(20);
        Assert.Equal(20 * 20_000, host.SumBodyBytes("reference"));
        if (sendInline)
        {
            // An idle connection's response leaves in the flushing thread's sendmsg, not the loop's.
            Assert.True(host.Counters!.InlineBytes >= 20 * 20_000, $"inline bytes: {host.Counters.InlineBytes}");
        }
        else
        {
            Assert.Equal(0, host.Counters!.InlineBytes);
        }

        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Theory]
    [InlineData("bbr")]
    [InlineData("cubic")]
    public async Task SendAsync_PacedSendLimit_AppliesOnlyWhereTheCongestionControlPaces(string algorithm)
    {
        // The congestion control is chosen on the listener, so both cases run on any machine default.
        const int Limit = 16 * 1024;
        const int Size = 1024 * 1024;
        await using var host = await TransportTestHost.StartAsync(transport: o =>
        {
            o.CongestionControl = algorithm;
            o.PacedSendLimit = Limit;
        });
        var body = host.AddBody("paced", Size);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);

        await client.SendAsync(RawHttpConnection.Get("/congestion"));
        Assert.Equal(algorithm, Encoding.ASCII.GetString((await client.ReadResponseAsync()).Body));
        var callsBefore = host.Counters!.SendmsgComplete + host.Counters.SendmsgPartial;

        await client.SendAsync(RawHttpConnection.Get("/hit/paced?parts=3"));
        Assert.Equal(Hex(body.Sha256()), (await client.ReadResponseAsync()).Sha256Hex);
        await host.WaitForResultsAsync(1);

        // Every sendmsg that took bytes counts once: under BBR none may offer more than the limit, so a
        // 1 MiB body needs at least Size / Limit of them; under CUBIC the loop offers up to 1 MiB per call
        // and waits for writability with Socket.SendAsync when the socket is full.
        var calls = host.Counters.SendmsgComplete + host.Counters.SendmsgPartial - callsBefore;
        if (algorithm == "bbr")
        {
            Assert.True(calls >= Size / Limit, $"{calls} sendmsg calls for a 1 MiB body with a 16 KiB limit");
        }
        else
        {
            Assert.True(calls < Size / Limit, $"{calls} sendmsg calls for a 1 MiB body without a limit");
        }

        Assert.Equal(Size, host.SumBodyBytes("reference"));
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Fact]
    public async Task TransportMetrics_ReportTheKernelsBytesAndCallsBySystemCall()
    {
        await using var host = await TransportTestHost.StartAsync();
        var body = host.AddBody("m", 200_000);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);
        for (var i = 0; i < 5; i++)
        {
            await client.SendAsync(RawHttpConnection.Get("/hit/m"));
            Assert.Equal(Hex(body.Sha256()), (await client.ReadResponseAsync()).Sha256Hex);
        }

        await host.WaitForResultsAsync(5);
        await WaitForSentBytesAsync(host.Counters!, 5 * 200_000);
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        using var bytes = new MetricCollector<long>(meterFactory, HitBodyMetrics.MeterName, TransportMetrics.SentBytesName);
        using var calls = new MetricCollector<long>(meterFactory, HitBodyMetrics.MeterName, TransportMetrics.SendCallsName);
        bytes.RecordObservableInstruments();
        calls.RecordObservableInstruments();

        long Bytes(string call) => bytes.GetMeasurementSnapshot().Single(m => (string?)m.Tags["call"] == call).Value;
        long Calls(string call, string result) => calls.GetMeasurementSnapshot()
            .Single(m => (string?)m.Tags["call"] == call && (string?)m.Tags["result"] == result).Value;

        // Headers and bodies: everything went out in sendmsg(2) calls that took bytes.
        Assert.True(Bytes("sendmsg") + Bytes("send") >= 5 * 200_000);
        Assert.Equal(0, Bytes("sendfile"));
        Assert.True(Calls("sendmsg", "complete") + Calls("sendmsg", "partial") >= 5);
        Assert.Equal(host.Counters!.SendmsgWouldBlock, Calls("sendmsg", "would_block"));
    }

    /// <summary>
    /// The send loop counts a sendmsg after the call returns, which can be after the client has read the bytes:
    /// waits (bounded) until the counters have caught up with what the client received.
    /// </summary>
    private static async Task WaitForSentBytesAsync(SendCounters counters, long expected)
    {
        var deadline = DateTime.UtcNow + ReleaseTimeout;
        while (counters.SendmsgBytes + counters.SendAsyncBytes < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Bind_UnknownCongestionControl_FailsNamingTheAlgorithm()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TransportTestHost.StartAsync(transport: o => o.CongestionControl = "nosuchcc"));
        Assert.Contains("nosuchcc", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_PortableSendLoop_PipelinedHitsByteExact()
    {
        await using var host = await TransportTestHost.StartAsync(transport: o => o.UseGatheredSend = false);
        var body = host.AddBody("p", 300_000);
        await using var client = await RawHttpConnection.ConnectAsync(host.Port);

        await client.SendAsync(RawHttpConnection.Get("/hit/p?parts=3") + RawHttpConnection.Get("/plain/70000") + RawHttpConnection.Get("/hit/p?range=5-99999"));
        Assert.Equal(Hex(body.Sha256()), (await client.ReadResponseAsync()).Sha256Hex);
        Assert.Equal(Hex(SHA256.HashData(TransportTestHost.Pattern(70_000))), (await client.ReadResponseAsync()).Sha256Hex);
        Assert.Equal(Hex(body.Sha256(5, 99_995)), (await client.ReadResponseAsync()).Sha256Hex);
        Assert.Equal(0, host.Counters!.SendmsgBytes);
        await body.WaitForZeroAsync(ReleaseTimeout);
    }

    [Fact]
    public void Slice_RangeAcrossSegments_SlicesMemoryAndFileOffsets()
    {
        using var body = SealedTestMemory.Create(1000, seed: 1);
        var segments = body.Segments(4); // 250 bytes each
        var slice = HitBodySender.Slice(segments, 200, 400);

        Assert.Equal(3, slice.Count);
        Assert.Equal([50, 250, 100], slice.Select(s => s.Memory.Length));
        Assert.Equal([200L, 250L, 500L], slice.Select(s => s.FileOffset));
        Assert.True(body.Memory.Span.Slice(200, 400).SequenceEqual(slice.SelectMany(s => s.Memory.ToArray()).ToArray()));
        Assert.Throws<ArgumentOutOfRangeException>(() => HitBodySender.Slice(segments, 900, 101));
        Assert.Empty(HitBodySender.Slice(Array.Empty<SealedSegment>(), 0, 0));
    }

    private static string Hex(byte[] hash) => Convert.ToHexString(hash);
}
