using ZProxy.LoadTests.Scenarios.BenchReport;

namespace ZProxy.LoadTests.Smoke;

/// <summary>The arithmetic behind bench.sh's table: medians, CPU per request, disturbance and ratios.</summary>
public class BenchReportTests
{
    private static BenchRun Run(string proxy, double rps, long requests, long proxyTicks, long cpu1Busy, long cpu0Busy = 500, string size = "1k", int round = 1, long allocated = -1) =>
        new(size, size == "1k" ? 1024 : 1 << 20, round, proxy, "wrk", 10, requests, rps, 1000, 5000, 0, 0,
            proxyTicks, cpu1Busy, 1000, cpu0Busy, 1000, 100, allocated);

    [Theory]
    [InlineData(new double[] { 3, 1, 2 }, 2, 1, 3)]
    [InlineData(new double[] { 4, 1, 3, 2 }, 2.5, 1, 4)]
    [InlineData(new double[] { 7 }, 7, 7, 7)]
    public void SummaryOf_Values_MedianAndRange(double[] values, double median, double min, double max)
    {
        var summary = Summary.Of(values);

        Assert.Equal(median, summary.Median);
        Assert.Equal(min, summary.Min);
        Assert.Equal(max, summary.Max);
    }

    [Fact]
    public void BenchRun_Ticks_CpuMicrosecondsPerRequestAndShares()
    {
        // 250 ticks at 100 Hz = 2.5 s of CPU for 50,000 requests = 50 µs each.
        var run = Run("zproxy", 5000, 50_000, proxyTicks: 250, cpu1Busy: 400, allocated: 100_000_000);

        Assert.Equal(50, run.CpuMicrosecondsPerRequest, precision: 6);
        Assert.Equal(0.25, run.ProxyCpuShare, precision: 6);
        Assert.Equal(0.15, run.OtherLoadOnProxyCpu, precision: 6);
        Assert.Equal(5000 / 1024.0, run.MebibytesPerSecond, precision: 6);
        Assert.Equal(2000, run.AllocatedBytesPerRequest, precision: 6);
        Assert.True(double.IsNaN(Run("varnish", 5000, 50_000, 250, 400).AllocatedBytesPerRequest));
    }

    [Fact]
    public void ProxySizeResult_SpareCpuSaturatedGenerator_GeneratorBoundOnlyWhenUndisturbed()
    {
        var quiet = new ProxySizeResult("nginx", "1k", 1024, [Run("nginx", 9000, 90_000, proxyTicks: 500, cpu1Busy: 520, cpu0Busy: 990)]);
        var noisy = new ProxySizeResult("nginx", "1k", 1024, [Run("nginx", 9000, 90_000, proxyTicks: 500, cpu1Busy: 990, cpu0Busy: 990)]);

        Assert.True(quiet.GeneratorBound);
        Assert.Equal(0, quiet.DisturbedRuns);
        Assert.False(noisy.GeneratorBound);
        Assert.Equal(1, noisy.DisturbedRuns);
    }

    [Fact]
    public void Markdown_TwoProxies_RatiosToBaselineAndDisturbedCount()
    {
        var runs = new List<BenchRun>
        {
            Run("varnish", 10_000, 100_000, proxyTicks: 400, cpu1Busy: 410),
            Run("zproxy", 5_000, 50_000, proxyTicks: 400, cpu1Busy: 900, allocated: 150_000_000),
        };

        var markdown = BenchReportWriter.Markdown(BenchReportWriter.Summarise(runs), new Dictionary<string, string>(), "varnish");

        // varnish: 40 µs/req; zproxy: 80 µs/req at half the rate.
        Assert.Contains("| 1 KiB | varnish | 10,000 | 10 | 1.00 ms | 5.00 ms | 40.0 | 1.00× | 1.00× |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 1 KiB | zproxy | 5,000 | 5 | 1.00 ms | 5.00 ms | 80.0 | 0.50× | 2.00× |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 40 % | 50 % | 3,000 | disturbed 1/1 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 40 % | 1 % | – |  |", markdown, StringComparison.Ordinal);
        Assert.Contains("1 of 2 runs were disturbed", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void SvgChart_TwoSizesThreeProxies_OnePointPerProxySizeAndFigure()
    {
        var runs = new List<BenchRun>();
        foreach (var proxy in new[] { "zproxy", "varnish", "nginx" })
        {
            runs.Add(Run(proxy, 10_000, 100_000, 400, 410, size: "1k"));
            runs.Add(Run(proxy, 500, 5_000, 200, 210, size: "1m"));
        }

        var svg = System.Xml.Linq.XDocument.Parse(SvgChart.Render(BenchReportWriter.Summarise(runs), "title", "note"));

        System.Xml.Linq.XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(12, svg.Descendants(ns + "circle").Count());
        Assert.Equal(6, svg.Descendants(ns + "polyline").Count());
    }
}
