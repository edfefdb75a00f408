using System.Globalization;
using System.Text;
using System.Text.Json;
using HdrHistogram;

namespace ZProxy.LoadTests.Scenarios.Scenario;

/// <summary>The end-of-run report: markdown for people, JSON for the smoke test and for tools.</summary>
internal sealed class ScenarioSummary
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public required string Target { get; init; }

    public required double DurationSeconds { get; init; }

    public required int Connections { get; init; }

    public required double Rate { get; init; }

    public required long Requests { get; init; }

    public required double RequestsPerSecond { get; init; }

    public required double MebibytesPerSecond { get; init; }

    /// <summary>Hits among the working-set GETs (the Zipf keys), from Cache-Status.</summary>
    public required double HitRatio { get; init; }

    /// <summary>Hits among all GETs, misses and revalidations included.</summary>
    public required double OverallHitRatio { get; init; }

    public required long BodiesVerified { get; init; }

    public required long BodyMismatches { get; init; }

    public required long Errors { get; init; }

    public required Dictionary<string, long> ErrorKinds { get; init; }

    public required List<string> ErrorSamples { get; init; }

    public required LatencySummary Latency { get; init; }

    public required Dictionary<string, OperationSummary> Operations { get; init; }

    public required long WorkingSetBytes { get; init; }

    public required int Keys { get; init; }

    public required List<StoreSample> Memory { get; init; }

    public OriginStats? OriginDelta { get; init; }

    public static ScenarioSummary Create(ScenarioOptions options, ScenarioStats stats, List<StoreSample> samples, TimeSpan elapsed,
        long workingSet, OriginStats? origin0, OriginStats? origin1)
    {
        var seconds = elapsed.TotalSeconds;
        var gets = stats.Count(Operation.Get) - stats.Count(Operation.Get, Outcome.Error);
        var allGets = new[] { Operation.Get, Operation.Miss, Operation.Revalidate }.Sum(o => stats.Count(o) - stats.Count(o, Outcome.Error));
        var allHits = new[] { Operation.Get, Operation.Miss, Operation.Revalidate }.Sum(o => stats.Count(o, Outcome.Hit));
        return new ScenarioSummary
        {
            Target = options.Proxy.ToString(),
            DurationSeconds = seconds,
            Connections = options.Connections,
            Rate = options.Rate,
            Requests = stats.Completed,
            RequestsPerSecond = stats.Completed / seconds,
            MebibytesPerSecond = stats.BodyBytes / seconds / 1048576.0,
            HitRatio = gets == 0 ? 0 : (double)stats.Count(Operation.Get, Outcome.Hit) / gets,
            OverallHitRatio = allGets == 0 ? 0 : (double)allHits / allGets,
            BodiesVerified = stats.Verified,
            BodyMismatches = stats.Mismatches,
            Errors = stats.Count(Outcome.Error),
            ErrorKinds = new Dictionary<string, long>(stats.ErrorKinds),
            ErrorSamples = [.. stats.ErrorSamples],
            Latency = LatencySummary.Of(stats.All),
            Operations = Enum.GetValues<Operation>()
                .Where(o => stats.Count(o) > 0)
                .ToDictionary(o => o.ToString().ToLowerInvariant(), o => new OperationSummary(
                    stats.Count(o),
                    Enum.GetValues<Outcome>().Where(r => stats.Count(o, r) > 0).ToDictionary(r => r.ToString().ToLowerInvariant(), r => stats.Count(o, r)),
                    LatencySummary.Of(stats.Latency(o)))),
            WorkingSetBytes = workingSet,
            Keys = options.Keys,
            Memory = samples,
            OriginDelta = origin0 is not null && origin1 is not null
                ? new OriginStats(origin1.Requests - origin0.Requests, origin1.NotModified - origin0.NotModified, origin1.BodyBytes - origin0.BodyBytes)
                : null,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"# Scenario run against {Target}");
        sb.AppendLine();
        var loop = Rate > 0 ? string.Create(Inv, $"fixed rate {Rate:N0} req/s (latency from scheduled time)") : "closed loop";
        var limit = Memory.Count > 0 && Memory[^1].LimitBytes > 0
            ? string.Create(Inv, $" = {(double)WorkingSetBytes / Memory[^1].LimitBytes:0.0}× the store's {Memory[^1].LimitBytes / 1048576.0:N0} MiB limit")
            : string.Empty;
        sb.AppendLine(Inv, $"{DurationSeconds:0.0} s, {Connections} connections, {loop}; {Keys:N0} Zipf keys, working set {WorkingSetBytes / 1048576.0:N0} MiB{limit}.");
        sb.AppendLine();
        sb.AppendLine("| figure | value |");
        sb.AppendLine("|---|---:|");
        sb.AppendLine(Inv, $"| requests | {Requests:N0} |");
        sb.AppendLine(Inv, $"| throughput | {RequestsPerSecond:N0} req/s, {MebibytesPerSecond:N1} MiB/s |");
        sb.AppendLine(Inv, $"| hit ratio (working-set GETs) | {HitRatio:P1} |");
        sb.AppendLine(Inv, $"| hit ratio (all GETs) | {OverallHitRatio:P1} |");
        sb.AppendLine(Inv, $"| bodies verified (sha256 = origin's) | {BodiesVerified:N0} |");
        sb.AppendLine(Inv, $"| body mismatches | {BodyMismatches:N0} |");
        sb.AppendLine(Inv, $"| errors | {Errors:N0} |");
        sb.AppendLine(Inv, $"| latency p50 / p90 / p99 / p99.9 / max | {Ms(Latency.P50)} / {Ms(Latency.P90)} / {Ms(Latency.P99)} / {Ms(Latency.P999)} / {Ms(Latency.Max)} |");
        if (OriginDelta is { } origin)
        {
            sb.AppendLine(Inv, $"| origin requests (of which 304) | {origin.Requests:N0} ({origin.NotModified:N0}) |");
        }

        if (Memory.Count > 0)
        {
            sb.AppendLine(Inv, $"| store used: min / max / last | {Memory.Min(m => m.UsedBytes) / 1048576.0:N1} / {Memory.Max(m => m.UsedBytes) / 1048576.0:N1} / {Memory[^1].UsedBytes / 1048576.0:N1} MiB of {Memory[^1].LimitBytes / 1048576.0:N0} |");
            sb.AppendLine(Inv, $"| store objects (last) / evictions | {Memory[^1].Objects:N0} / {Memory[^1].Evictions - Memory[0].Evictions:N0} during the run |");
        }

        sb.AppendLine();
        sb.AppendLine("| operation | requests | outcomes | p50 | p99 | max |");
        sb.AppendLine("|---|---:|---|---:|---:|---:|");
        foreach (var (name, op) in Operations)
        {
            sb.AppendLine(Inv, $"| {name} | {op.Requests:N0} | {string.Join(", ", op.Outcomes.Select(kv => $"{kv.Key} {kv.Value:N0}"))} | {Ms(op.Latency.P50)} | {Ms(op.Latency.P99)} | {Ms(op.Latency.Max)} |");
        }

        if (Memory.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Store memory over time (admin /cache/stats):");
            sb.AppendLine();
            sb.AppendLine("| s | used MiB | objects | evictions |");
            sb.AppendLine("|---:|---:|---:|---:|");
            var step = Math.Max(1, Memory.Count / 10);
            for (var i = 0; i < Memory.Count; i += step)
            {
                var m = Memory[i];
                sb.AppendLine(Inv, $"| {m.Seconds:0} | {m.UsedBytes / 1048576.0:N1} | {m.Objects:N0} | {m.Evictions:N0} |");
            }
        }

        if (ErrorKinds.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Errors: " + string.Join(", ", ErrorKinds.Select(kv => $"{kv.Key} × {kv.Value:N0}")));
            foreach (var sample in ErrorSamples)
            {
                sb.AppendLine("- " + sample);
            }
        }

        return sb.ToString();
    }

    private static string Ms(long microseconds) => (microseconds / 1000.0).ToString("0.00", Inv) + " ms";
}

/// <summary>Latency percentiles in microseconds.</summary>
internal sealed record LatencySummary(long P50, long P90, long P99, long P999, long Max, double Mean)
{
    public static LatencySummary Of(HistogramBase histogram) => histogram.TotalCount == 0
        ? new LatencySummary(0, 0, 0, 0, 0, 0)
        : new LatencySummary(
            histogram.GetValueAtPercentile(50), histogram.GetValueAtPercentile(90), histogram.GetValueAtPercentile(99),
            histogram.GetValueAtPercentile(99.9), histogram.GetMaxValue(), histogram.GetMean());
}

/// <summary>One operation's count, outcomes and latencies.</summary>
internal sealed record OperationSummary(long Requests, Dictionary<string, long> Outcomes, LatencySummary Latency);
