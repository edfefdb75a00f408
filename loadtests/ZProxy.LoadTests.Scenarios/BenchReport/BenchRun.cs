using System.Globalization;

namespace ZProxy.LoadTests.Scenarios.BenchReport;

/// <summary>One measured run of bench.sh: a proxy, a body size, a round (one line of raw.tsv).</summary>
internal sealed record BenchRun(
    string Size,
    long SizeBytes,
    int Round,
    string Proxy,
    string Tool,
    double DurationSeconds,
    long Requests,
    double RequestsPerSecond,
    double P50Microseconds,
    double P99Microseconds,
    long Errors,
    long Non2xx,
    long ProxyTicks,
    long Cpu1Busy,
    long Cpu1Total,
    long Cpu0Busy,
    long Cpu0Total,
    int ClockTicksPerSecond,
    long AllocatedBytes = -1)
{
    /// <summary>Bytes the proxy's .NET GC allocated per request (ZProxy only), NaN when not measured.</summary>
    public double AllocatedBytesPerRequest => AllocatedBytes < 0 || Requests == 0 ? double.NaN : (double)AllocatedBytes / Requests;

    /// <summary>Body MiB/s: requests/s times the body size (headers not counted).</summary>
    public double MebibytesPerSecond => RequestsPerSecond * SizeBytes / (1024.0 * 1024.0);

    /// <summary>Proxy CPU time (user+system of the process tree) per request, in microseconds.</summary>
    public double CpuMicrosecondsPerRequest => Requests == 0 ? double.NaN : ProxyTicks * 1e6 / ClockTicksPerSecond / Requests;

    /// <summary>Share of CPU 1 the proxy used during the run (1 = the whole CPU).</summary>
    public double ProxyCpuShare => Cpu1Total == 0 ? 0 : (double)ProxyTicks / Cpu1Total;

    /// <summary>Share of CPU 1 used by anything but the proxy: other sessions' load on the proxy's CPU.</summary>
    public double OtherLoadOnProxyCpu => Cpu1Total == 0 ? 0 : Math.Max(0, Cpu1Busy - ProxyTicks) / (double)Cpu1Total;

    /// <summary>Share of CPU 0 (the load generator's) that was busy.</summary>
    public double GeneratorCpuBusy => Cpu0Total == 0 ? 0 : (double)Cpu0Busy / Cpu0Total;

    /// <summary>Parses raw.tsv (header line first).</summary>
    public static IReadOnlyList<BenchRun> ReadTsv(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0)
        {
            throw new InvalidDataException($"{path} is empty");
        }

        var header = lines[0].Split('\t');
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidDataException($"{path} has no column '{name}'");
        var runs = new List<BenchRun>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split('\t');
            double D(string name) => double.Parse(f[Column(name)], CultureInfo.InvariantCulture);
            long L(string name) => long.Parse(f[Column(name)], CultureInfo.InvariantCulture);
            runs.Add(new BenchRun(
                f[Column("size")], L("size_bytes"), (int)L("round"), f[Column("proxy")], f[Column("tool")], D("duration_s"),
                L("requests"), D("rps"), D("p50_us"), D("p99_us"), L("errors"), L("non2xx"), L("proxy_ticks"),
                L("cpu1_busy"), L("cpu1_total"), L("cpu0_busy"), L("cpu0_total"), (int)L("clk_tck"),
                // Older raw.tsv files have no allocation column.
                Array.IndexOf(header, "alloc_bytes") >= 0 ? L("alloc_bytes") : -1));
        }

        return runs;
    }
}
