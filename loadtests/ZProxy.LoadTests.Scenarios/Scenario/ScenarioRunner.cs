using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace ZProxy.LoadTests.Scenarios.Scenario;

/// <summary>
/// Sends a scenario's traffic through the proxy, checks every body against the origin's content,
/// samples the store's memory, prints a live progress line and writes the summary.
/// </summary>
internal static class ScenarioRunner
{
    public static async Task<int> RunAsync(ScenarioOptions options, TextWriter output, TextWriter progress, CancellationToken cancellationToken)
    {
        var workload = new Workload(options);
        var stats = new ScenarioStats();
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Connections + 2,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        if (options.Origin is not null)
        {
            await CheckOriginAgreesAsync(client, options.Origin, workload, cancellationToken);
        }

        var origin0 = options.Origin is null ? null : await OriginStatsAsync(client, options.Origin, cancellationToken);
        var workingSet = workload.WorkingSetBytes();
        var samples = new List<StoreSample>();
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(options.Duration);

        var monitor = MonitorAsync(options, client, stats, samples, clock, progress, stop.Token);
        var workers = Enumerable.Range(0, options.Connections)
            .Select(i => Task.Run(() => WorkerAsync(options, workload, client, stats, clock, new Random(options.Seed * 7919 + i), i, stop.Token)))
            .ToArray();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        await monitor;

        var origin1 = options.Origin is null ? null : await OriginStatsAsync(client, options.Origin, CancellationToken.None);
        var summary = ScenarioSummary.Create(options, stats, samples, elapsed, workingSet, origin0, origin1);
        output.WriteLine(summary.ToMarkdown());
        if (options.OutDirectory is { } outDirectory)
        {
            Directory.CreateDirectory(outDirectory);
            await File.WriteAllTextAsync(Path.Combine(outDirectory, "summary.md"), summary.ToMarkdown(), CancellationToken.None);
            await File.WriteAllTextAsync(Path.Combine(outDirectory, "summary.json"), summary.ToJson(), CancellationToken.None);
            await File.WriteAllLinesAsync(Path.Combine(outDirectory, "memory.csv"),
                ["seconds,used_bytes,limit_bytes,body_bytes,objects,evictions",
                 .. samples.Select(s => FormattableString.Invariant($"{s.Seconds:0.0},{s.UsedBytes},{s.LimitBytes},{s.BodyBytes},{s.Objects},{s.Evictions}"))],
                CancellationToken.None);
        }

        // Failure: nothing got through, or any body was wrong (a cache that serves wrong bytes has failed).
        return stats.Completed == 0 || stats.Mismatches > 0 || stats.Verified == 0 ? 1 : 0;
    }

    private static async Task WorkerAsync(ScenarioOptions options, Workload workload, HttpClient client, ScenarioStats stats,
        Stopwatch clock, Random random, int worker, CancellationToken stop)
    {
        var interval = options.Rate > 0 ? TimeSpan.FromSeconds(options.Connections / options.Rate) : TimeSpan.Zero;
        // Fixed rate: each worker owns every Connections-th slot of the global schedule, offset by its index,
        // and latency runs from the slot's time, so a slow answer also delays (and charges) what queued behind it
        // (coordinated omission corrected).
        var next = options.Rate > 0 ? TimeSpan.FromSeconds(worker / options.Rate) : TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            TimeSpan start;
            if (options.Rate > 0)
            {
                var wait = next - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    try
                    {
                        await Task.Delay(wait, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                start = next;
                next += interval;
            }
            else
            {
                start = clock.Elapsed;
            }

            var operation = workload.NextOperation(random);
            await ExecuteAsync(options, workload, client, stats, clock, start, operation, random, stop);
        }
    }

    private static async Task ExecuteAsync(ScenarioOptions options, Workload workload, HttpClient client, ScenarioStats stats,
        Stopwatch clock, TimeSpan start, Operation operation, Random random, CancellationToken stop)
    {
        long Micros() => (long)(clock.Elapsed - start).TotalMicroseconds;
        var id = operation switch
        {
            Operation.Miss => workload.NextUniqueKey(),
            Operation.Revalidate => workload.NextRevalidateKey(random),
            _ => workload.NextWorkingSetKey(random),
        };
        var url = new Uri(options.Proxy, workload.PathOf(id));
        try
        {
            if (operation == Operation.Purge)
            {
                var purge = new Uri(options.Admin!, "/cache/purge?url=" + Uri.EscapeDataString(url.AbsoluteUri));
                using var purgeResponse = await client.PostAsync(purge, content: null, CancellationToken.None);
                if (purgeResponse.StatusCode != HttpStatusCode.OK)
                {
                    stats.Error(operation, $"purge status {(int)purgeResponse.StatusCode}", purge.ToString(), Micros());
                    return;
                }

                stats.Record(operation, Outcome.Purged, Micros(), 0);
                return;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            // The run's deadline does not cancel requests in flight: a half-read body is not an error of the proxy.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, CancellationToken.None);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                stats.Error(operation, $"status {(int)response.StatusCode}", url.PathAndQuery, Micros());
                return;
            }

            var expectedLength = workload.SizeOf(id);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var body = await response.Content.ReadAsStreamAsync(CancellationToken.None);
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
            long length = 0;
            try
            {
                int read;
                while ((read = await body.ReadAsync(buffer, CancellationToken.None)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    length += read;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }

            var micros = Micros();
            if (length != expectedLength || !hash.GetHashAndReset().AsSpan().SequenceEqual(workload.ExpectedSha256(id)))
            {
                stats.Error(operation, "body mismatch", $"{url.PathAndQuery}: {length} bytes, expected {expectedLength} and the origin's sha256", micros, bodyMismatch: true);
                return;
            }

            stats.BodyVerified();
            stats.Record(operation, Classify(response), micros, length);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Whatever fails one request is that request's error; the run goes on and reports it.
            stats.Error(operation, exception.GetType().Name, $"{url.PathAndQuery}: {exception.Message}", Micros());
        }
    }

    internal static Outcome Classify(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Cache-Status", out var values))
        {
            return Outcome.Unknown;
        }

        // The first entry is the cache nearest the origin (RFC 9211 §2); ZProxy adds one.
        var value = string.Join(",", values);
        var first = value.Split(',')[0];
        if (first.Contains("; hit", StringComparison.OrdinalIgnoreCase))
        {
            return Outcome.Hit;
        }

        if (first.Contains("fwd=stale", StringComparison.OrdinalIgnoreCase))
        {
            return Outcome.Revalidated;
        }

        return first.Contains("fwd=", StringComparison.OrdinalIgnoreCase) ? Outcome.Miss : Outcome.Unknown;
    }

    private static async Task MonitorAsync(ScenarioOptions options, HttpClient client, ScenarioStats stats, List<StoreSample> samples,
        Stopwatch clock, TextWriter progress, CancellationToken stop)
    {
        var interactive = !Console.IsErrorRedirected;
        long previous = 0;
        var tick = 0;
        while (true)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException)
            {
            }

            var sample = options.Admin is null ? (StoreSample?)null : await StoreStatsAsync(client, options.Admin, clock.Elapsed.TotalSeconds);
            if (sample is { } s)
            {
                samples.Add(s);
            }

            var completed = stats.Completed;
            var interval = stats.TakeInterval();
            var gets = stats.Count(Operation.Get);
            var hits = stats.Count(Operation.Get, Outcome.Hit);
            tick++;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"[{clock.Elapsed.TotalSeconds,5:0}s/{options.Duration.TotalSeconds:0}s] {completed,9:N0} req {completed - previous,7:N0} req/s  hit {(gets == 0 ? 0 : 100.0 * hits / gets),5:0.0}%  p99 {interval.GetValueAtPercentile(99) / 1000.0,6:0.00} ms  errors {stats.Count(Outcome.Error):N0}  bad bodies {stats.Mismatches}") +
                (sample is { } m ? FormattableString.Invariant($"  store {m.UsedBytes / 1048576.0:0.0}/{m.LimitBytes / 1048576.0:0} MiB {m.Objects:N0} obj") : string.Empty);
            previous = completed;
            if (interactive)
            {
                progress.Write("\r" + line + "   ");
            }
            else if (tick % 2 == 0 || stop.IsCancellationRequested)
            {
                progress.WriteLine(line);
            }

            if (stop.IsCancellationRequested)
            {
                if (interactive)
                {
                    progress.WriteLine();
                }

                return;
            }
        }
    }

    private static async Task<StoreSample?> StoreStatsAsync(HttpClient client, Uri admin, double seconds)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var json = await client.GetFromJsonAsync<JsonElement>(new Uri(admin, "/cache/stats"), cts.Token);
            return new StoreSample(seconds, json.GetProperty("usedBytes").GetInt64(), json.GetProperty("limitBytes").GetInt64(),
                json.GetProperty("bodyBytes").GetInt64(), json.GetProperty("objects").GetInt32(), json.GetProperty("evictions").GetInt64());
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    internal static async Task<OriginStats?> OriginStatsAsync(HttpClient client, Uri origin, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetFromJsonAsync<OriginStats>(new Uri(origin, "/_origin/stats"), cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The checksums recomputed here must be the origin's own: check a few before trusting them.</summary>
    private static async Task CheckOriginAgreesAsync(HttpClient client, Uri origin, Workload workload, CancellationToken cancellationToken)
    {
        foreach (var id in new long[] { 0, 1, 7, Workload.RevalidateBase })
        {
            var text = await client.GetStringAsync(new Uri(origin, $"/checksum/{id}/{workload.SizeOf(id)}"), cancellationToken);
            if (!string.Equals(text.Trim(), Convert.ToHexStringLower(workload.ExpectedSha256(id)), StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the origin's checksum of object {id} differs from the runner's: different builds?");
            }
        }
    }
}
