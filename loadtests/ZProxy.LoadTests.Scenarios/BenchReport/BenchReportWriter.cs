using System.Globalization;
using System.Text;

namespace ZProxy.LoadTests.Scenarios.BenchReport;

/// <summary>Turns bench.sh's raw runs into results.md (table) and results.svg (chart).</summary>
internal static class BenchReportWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Groups runs by size (in order of first appearance) and proxy.</summary>
    public static IReadOnlyList<ProxySizeResult> Summarise(IReadOnlyList<BenchRun> runs) =>
        runs.GroupBy(r => (r.Size, r.Proxy))
            .Select(g => new ProxySizeResult(g.Key.Proxy, g.Key.Size, g.First().SizeBytes, g.ToList()))
            .OrderBy(r => r.SizeBytes)
            .ThenBy(r => ProxyOrder(runs, r.Proxy))
            .ToList();

    public static int Write(string rawPath, string? metaPath, string outDirectory, string baseline)
    {
        var runs = BenchRun.ReadTsv(rawPath);
        if (runs.Count == 0)
        {
            Console.Error.WriteLine($"bench-report: {rawPath} holds no runs");
            return 1;
        }

        var meta = ReadMeta(metaPath);
        var results = Summarise(runs);
        Directory.CreateDirectory(outDirectory);
        var markdown = Markdown(results, meta, baseline);
        File.WriteAllText(Path.Combine(outDirectory, "results.md"), markdown);
        File.WriteAllText(Path.Combine(outDirectory, "results.svg"), SvgChart.Render(results, Title(meta), Note(results, meta)));
        Console.WriteLine(markdown);
        return 0;
    }

    public static string Markdown(IReadOnlyList<ProxySizeResult> results, IReadOnlyDictionary<string, string> meta, string baseline)
    {
        var sb = new StringBuilder();
        string M(string key) => meta.TryGetValue(key, out var v) ? v : "?";
        sb.AppendLine("# ZProxy vs Varnish vs nginx: cache hits");
        sb.AppendLine();
        var newConnections = meta.TryGetValue("keepalive", out var keepAlive) && keepAlive == "off";
        var client = M("tool") == "ab" ? (newConnections ? "ab" : "ab -k") : "wrk -t1";
        var connections = newConnections ? "concurrent requests, each on a new connection" : "keep-alive connections";
        sb.AppendLine(Inv, $"{M("date")}, `{M("tool")}` ({client}), {M("connections")} {connections}, " +
            $"{M("rounds")} interleaved round(s) of {M("duration_s")} s per proxy and size after {M("warmup_s")} s warm-up ({M("mode")} mode). " +
            $"Each proxy pinned to CPU 1, the load generator to CPU 0 (`taskset`); bodies from the deterministic origin, " +
            $"`Cache-Control: max-age=3600`, every proxy checked to answer a hit with the origin's exact bytes (sha256) first.");
        if (meta.TryGetValue("rate", out var rate))
        {
            sb.AppendLine();
            sb.AppendLine(Inv, $"**Paced runs:** the measured runs of these sizes were held to a fixed rate in requests/s ({rate}) by a `wrk` " +
                $"script that schedules every request, so each proxy served the same load below its limit: requests/s shows the rate was met, " +
                $"CPU µs/req is the comparison.");
        }

        if (newConnections)
        {
            sb.AppendLine();
            sb.AppendLine("**A new connection per request:** `ab` without `-k`, so every hit also pays the TCP handshake, " +
                "the accept and the close on the proxy's CPU.");
        }

        sb.AppendLine();
        sb.AppendLine(Inv, $"Machine: {M("cpus")} CPUs ({M("cpu_model")}), kernel {M("kernel")}, load average {M("loadavg_start")} at start, {M("loadavg_end")} at end. " +
            $"Versions: ZProxy {M("zproxy")}, Varnish {M("varnish")}, {M("nginx")}, {M("wrk")}, ab {M("ab")}.");
        sb.AppendLine();
        sb.AppendLine("Figures are medians over rounds with min–max in brackets. MiB/s counts body bytes only. CPU µs/req is the proxy's " +
            "user+system time (whole process tree: nginx workers, the Varnish child, every thread) from `/proc/PID/stat`, divided by requests served. " +
            "\"CPU 1 other\" is CPU 1's busy time not charged to the proxy (other processes on the machine; softirq excluded): " +
            $"runs above {ProxySizeResult.DisturbedThreshold:P0} are counted as disturbed. \"gen-bound\" marks rows where the proxy had CPU to spare " +
            "while the load generator's CPU was saturated: their requests/s is the generator's limit, compare CPU µs/req instead. " +
            "\"alloc B/req\" is ZProxy's own count of bytes its .NET GC handed out during the run (admin /metrics, " +
            "`dotnet_gc_heap_total_allocated_bytes_total`), per request: the whole process, Kestrel, YARP and telemetry included.");
        sb.AppendLine();
        sb.AppendLine("| size | proxy | requests/s | MiB/s | p50 | p99 | CPU µs/req | req/s vs " + baseline + " | CPU/req vs " + baseline + " | proxy CPU | CPU 1 other | alloc B/req | flags |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var sizeGroup in results.GroupBy(r => r.Size))
        {
            var baseRow = sizeGroup.FirstOrDefault(r => r.Proxy == baseline);
            foreach (var r in sizeGroup)
            {
                var flags = new List<string>();
                if (r.DisturbedRuns > 0)
                {
                    flags.Add($"disturbed {r.DisturbedRuns}/{r.Runs.Count}");
                }

                if (r.GeneratorBound)
                {
                    flags.Add("gen-bound");
                }

                if (r.Errors > 0)
                {
                    flags.Add($"{r.Errors} errors");
                }

                sb.Append(Inv, $"| {SizeLabel(r.SizeBytes)} | {r.Proxy} ")
                  .Append(Inv, $"| {Range(r.RequestsPerSecond, "N0")} ")
                  .Append(Inv, $"| {r.MebibytesPerSecond.Median.ToString("N0", Inv)} ")
                  .Append(Inv, $"| {Latency(r.P50Microseconds.Median)} | {Latency(r.P99Microseconds.Median)} ")
                  .Append(Inv, $"| {Range(r.CpuMicrosecondsPerRequest, "N1")} ")
                  .Append(Inv, $"| {Ratio(r.RequestsPerSecond.Median, baseRow?.RequestsPerSecond.Median)} ")
                  .Append(Inv, $"| {Ratio(r.CpuMicrosecondsPerRequest.Median, baseRow?.CpuMicrosecondsPerRequest.Median)} ")
                  .Append(Inv, $"| {r.ProxyCpuShare.Median:P0} | {r.OtherLoad.Median:P0} ")
                  .Append(Inv, $"| {(double.IsNaN(r.AllocatedBytesPerRequest.Median) ? "–" : r.AllocatedBytesPerRequest.Median.ToString("N0", Inv))} ")
                  .Append(Inv, $"| {string.Join(", ", flags)} |")
                  .AppendLine();
            }
        }

        var disturbed = results.Sum(r => r.DisturbedRuns);
        var total = results.Sum(r => r.Runs.Count);
        sb.AppendLine();
        sb.AppendLine(Inv, $"{disturbed} of {total} runs were disturbed by other load on the proxy's CPU.");
        return sb.ToString();
    }

    public static Dictionary<string, string> ReadMeta(string? path)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (path is null || !File.Exists(path))
        {
            return meta;
        }

        foreach (var line in File.ReadAllLines(path))
        {
            var eq = line.IndexOf('=');
            if (eq > 0)
            {
                var key = line[..eq];
                meta[key] = meta.TryGetValue(key, out var existing) ? existing + "; " + line[(eq + 1)..] : line[(eq + 1)..];
            }
        }

        return meta;
    }

    public static string SizeLabel(long bytes) => bytes >= 1 << 20 && bytes % (1 << 20) == 0
        ? $"{bytes >> 20} MiB"
        : bytes >= 1024 && bytes % 1024 == 0 ? $"{bytes >> 10} KiB" : $"{bytes} B";

    private static string Title(IReadOnlyDictionary<string, string> meta) =>
        $"Cache hits, proxy on 1 CPU ({(meta.TryGetValue("tool", out var t) ? t : "wrk")}, {(meta.TryGetValue("date", out var d) ? d : "")}); medians, bars = min–max";

    /// <summary>The chart says how disturbed its runs were, so it cannot be quoted without that.</summary>
    private static string Note(IReadOnlyList<ProxySizeResult> results, IReadOnlyDictionary<string, string> meta)
    {
        var disturbed = results.Sum(r => r.DisturbedRuns);
        var total = results.Sum(r => r.Runs.Count);
        var load = meta.TryGetValue("loadavg_start", out var start) ? $"; load average {start.Split(' ')[0]} at start on {(meta.TryGetValue("cpus", out var c) ? c : "?")} CPUs" : string.Empty;
        return disturbed == 0
            ? $"no run disturbed by other load on the proxy's CPU{load}"
            : $"{disturbed} of {total} runs disturbed by other load on the proxy's CPU{load}: compare CPU per request, not requests/s";
    }

    private static int ProxyOrder(IReadOnlyList<BenchRun> runs, string proxy)
    {
        for (var i = 0; i < runs.Count; i++)
        {
            if (runs[i].Proxy == proxy)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static string Range(Summary s, string format) =>
        s.Min == s.Max ? s.Median.ToString(format, Inv) : $"{s.Median.ToString(format, Inv)} ({s.Min.ToString(format, Inv)}–{s.Max.ToString(format, Inv)})";

    private static string Ratio(double value, double? baseline) =>
        baseline is { } b && b > 0 && !double.IsNaN(value) ? (value / b).ToString("0.00", Inv) + "×" : "–";

    private static string Latency(double microseconds) =>
        double.IsNaN(microseconds) ? "–"
        : microseconds >= 1000 ? (microseconds / 1000).ToString("0.00", Inv) + " ms"
        : microseconds.ToString("0", Inv) + " µs";
}
