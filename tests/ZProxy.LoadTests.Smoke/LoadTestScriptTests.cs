using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace ZProxy.LoadTests.Smoke;

/// <summary>
/// The load-test scripts, run the way a user runs them (real processes, loopback sockets), in quick
/// mode: they must finish, measure every proxy at every size, and verify every body.
/// </summary>
public class LoadTestScriptTests(ITestOutputHelper log)
{
    // Measured at least; bench.sh's ZPROXY_VARIANTS may add more ZProxy variants.
    private static readonly string[] Proxies = ["zproxy", "varnish", "nginx"];
    private static readonly string[] Sizes = ["1k", "16k", "128k", "1m"];

    [Fact]
    public async Task BenchQuick_EveryProxyAndSize_MeasuredAndReported()
    {
        var output = Directory.CreateTempSubdirectory("zproxy-smoke-bench-").FullName;
        try
        {
            // Generous bound: a fresh machine installs varnish, nginx, wrk and ab first.
            var (exitCode, text) = await ScriptRun.RunAsync("loadtests/bench.sh",
                ["--quick", "--no-build", "--config", RepositoryRoot.Configuration, "--out", output], TimeSpan.FromMinutes(5), log);
            Assert.True(exitCode == 0, $"bench.sh exited {exitCode}:\n{text}");

            var lines = File.ReadAllLines(Path.Combine(output, "raw.tsv"));
            var header = lines[0].Split('\t');
            var rows = lines.Skip(1).Select(l => l.Split('\t')).ToList();
            string Field(string[] row, string name) => row[Array.IndexOf(header, name)];
            double Number(string[] row, string name) => double.Parse(Field(row, name), CultureInfo.InvariantCulture);
            var measured = rows.Select(r => Field(r, "proxy")).Distinct().ToList();
            Assert.Superset(Proxies.ToHashSet(), measured.ToHashSet());
            foreach (var proxy in measured)
            {
                foreach (var size in Sizes)
                {
                    var row = Assert.Single(rows, r => Field(r, "proxy") == proxy && Field(r, "size") == size);
                    Assert.True(Number(row, "requests") > 0, $"{proxy} {size}: no requests");
                    Assert.True(Number(row, "rps") > 0, $"{proxy} {size}: no throughput");
                    Assert.Equal(0, Number(row, "errors"));
                    Assert.Equal(0, Number(row, "non2xx"));
                    Assert.True(Number(row, "cpu1_total") > 0, $"{proxy} {size}: CPU 1 not sampled");
                    // ZProxy's allocation count comes from its admin /metrics; the others have none.
                    Assert.True(proxy.StartsWith("zproxy", StringComparison.Ordinal) ? Number(row, "alloc_bytes") > 0 : Number(row, "alloc_bytes") == -1, $"{proxy} {size}: alloc_bytes");
                }

                // Clock ticks are 10 ms: a one-second run can round to zero, four of them cannot.
                Assert.True(rows.Where(r => Field(r, "proxy") == proxy).Sum(r => Number(r, "proxy_ticks")) > 0, $"{proxy}: no CPU time measured");
            }

            var markdown = File.ReadAllText(Path.Combine(output, "results.md"));
            foreach (var proxy in Proxies)
            {
                Assert.Contains($"| 1 KiB | {proxy} |", markdown, StringComparison.Ordinal);
                Assert.Contains($"| 1 MiB | {proxy} |", markdown, StringComparison.Ordinal);
            }

            Assert.Contains("| 1.00× | 1.00× |", markdown, StringComparison.Ordinal);
            var svg = XDocument.Load(Path.Combine(output, "results.svg"));
            XNamespace ns = "http://www.w3.org/2000/svg";
            Assert.Equal(measured.Count * Sizes.Length * 2, svg.Descendants(ns + "circle").Count());
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task BenchQuick_Paced_HoldsEveryProxyToTheRateAndSaysSo()
    {
        var bench = await RunQuickBenchAsync("paced", "--sizes", "1k", "--proxies", "zproxy nginx", "--rate", "1k:2000");
        try
        {
            Assert.Equal(2, bench.Rows.Count);
            foreach (var row in bench.Rows)
            {
                // Paced, never faster than asked; and a proxy far below its limit keeps up.
                Assert.InRange(bench.Number(row, "rps"), 1500, 2100);
            }

            var markdown = File.ReadAllText(Path.Combine(bench.Output, "results.md"));
            Assert.Contains("**Paced runs:**", markdown, StringComparison.Ordinal);
            Assert.Contains("(1k:2000)", markdown, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(bench.Output, recursive: true);
        }
    }

    [Fact]
    public async Task BenchQuick_NewConnections_EveryHitOnItsOwnConnectionAndSaysSo()
    {
        var bench = await RunQuickBenchAsync("connections", "--sizes", "1k", "--proxies", "zproxy nginx", "--tool", "ab", "--new-connections");
        try
        {
            Assert.Equal(2, bench.Rows.Count);
            foreach (var row in bench.Rows)
            {
                Assert.True(bench.Number(row, "requests") > 0);
                Assert.Equal(0, bench.Number(row, "errors"));
            }

            Assert.Contains("keepalive=off", File.ReadAllText(Path.Combine(bench.Output, "meta.txt")), StringComparison.Ordinal);
            var markdown = File.ReadAllText(Path.Combine(bench.Output, "results.md"));
            Assert.Contains("**A new connection per request:**", markdown, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(bench.Output, recursive: true);
        }
    }

    /// <summary>Runs <c>bench.sh --quick</c> with <paramref name="arguments"/> into a new temporary folder; the caller deletes it.</summary>
    private async Task<QuickBench> RunQuickBenchAsync(string name, params string[] arguments)
    {
        var output = Directory.CreateTempSubdirectory($"zproxy-smoke-{name}-").FullName;
        var (exitCode, text) = await ScriptRun.RunAsync("loadtests/bench.sh",
            ["--quick", "--no-build", "--config", RepositoryRoot.Configuration, .. arguments, "--out", output], TimeSpan.FromMinutes(3), log);
        Assert.True(exitCode == 0, $"bench.sh exited {exitCode}:\n{text}");

        var lines = File.ReadAllLines(Path.Combine(output, "raw.tsv"));
        return new QuickBench(output, lines[0].Split('\t'), lines.Skip(1).Select(l => l.Split('\t')).ToList());
    }

    private sealed record QuickBench(string Output, string[] Header, List<string[]> Rows)
    {
        public double Number(string[] row, string column) =>
            double.Parse(row[Array.IndexOf(Header, column)], CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("--new-connections", "--new-connections needs --tool ab")]
    [InlineData("--rate 1k:2000 --tool ab", "--rate needs --tool wrk")]
    [InlineData("--rate 2k:100", "--rate takes SIZE:RPS pairs")]
    [InlineData("--rate 1k:fast", "--rate takes SIZE:RPS pairs")]
    public async Task Bench_BadLoadOptions_AreRefusedBeforeAnythingStarts(string arguments, string message)
    {
        var (exitCode, text) = await ScriptRun.RunAsync("loadtests/bench.sh", ["--no-build", .. arguments.Split(' ')], TimeSpan.FromMinutes(1), log);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(message, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScenarioQuick_ZipfMixThroughSmallStore_EveryBodyVerified()
    {
        var output = Directory.CreateTempSubdirectory("zproxy-smoke-scenario-").FullName;
        try
        {
            var (exitCode, text) = await ScriptRun.RunAsync("loadtests/scenario.sh",
                ["--quick", "--no-build", "--config", RepositoryRoot.Configuration, "--out", output], TimeSpan.FromMinutes(2), log);
            Assert.True(exitCode == 0, $"scenario.sh exited {exitCode}:\n{text}");

            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json")));
            var root = summary.RootElement;
            var requests = root.GetProperty("requests").GetInt64();
            Assert.True(requests > 0);
            Assert.True(root.GetProperty("requestsPerSecond").GetDouble() > 0);
            Assert.Equal(0, root.GetProperty("bodyMismatches").GetInt64());
            Assert.True(root.GetProperty("bodiesVerified").GetInt64() > 0);
            // A Zipf working set four times the store still hits for its head; zero would mean no caching.
            Assert.InRange(root.GetProperty("hitRatio").GetDouble(), 0.05, 1.0);
            Assert.True(root.GetProperty("errors").GetInt64() <= requests / 100, $"more than 1 % errors:\n{text}");
            Assert.True(root.GetProperty("latency").GetProperty("p99").GetInt64() > 0);
            var operations = root.GetProperty("operations");
            foreach (var operation in new[] { "get", "miss", "revalidate", "purge" })
            {
                Assert.True(operations.TryGetProperty(operation, out _), $"no {operation} requests were sent");
            }

            var memory = root.GetProperty("memory");
            Assert.True(memory.GetArrayLength() > 0, "the store's memory was never sampled");
            var last = memory[memory.GetArrayLength() - 1];
            Assert.InRange(last.GetProperty("usedBytes").GetInt64(), 1, last.GetProperty("limitBytes").GetInt64());
            Assert.True(File.Exists(Path.Combine(output, "memory.csv")));
            Assert.Contains("| bodies verified", File.ReadAllText(Path.Combine(output, "summary.md")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
