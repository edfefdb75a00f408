using ZProxy.LoadTests.Origin;
using ZProxy.LoadTests.Scenarios;
using ZProxy.LoadTests.Scenarios.Scenario;

namespace ZProxy.LoadTests.Smoke;

/// <summary>The scenario runner's workload: reproducible sizes and keys, Zipf skew, Cache-Status classification.</summary>
public class ScenarioWorkloadTests
{
    private static ScenarioOptions Options(string sizes = "1k=50,16k=30,128k=15,1m=5") =>
        ScenarioOptions.Parse(new Arguments(["--proxy", "http://127.0.0.1:1", "--admin", "http://127.0.0.1:2", "--keys", "1000", "--sizes", sizes]));

    [Fact]
    public void SizeOf_SameId_SameSizeDrawnByWeight()
    {
        var workload = new Workload(Options());
        var again = new Workload(Options());

        var sizes = Enumerable.Range(0, 1000).Select(id => workload.SizeOf(id)).ToArray();

        Assert.Equal(sizes, Enumerable.Range(0, 1000).Select(id => again.SizeOf(id)));
        Assert.InRange(sizes.Count(s => s == 1024), 420, 580);
        Assert.InRange(sizes.Count(s => s == 1 << 20), 20, 80);
        Assert.Equal(sizes.Sum(s => (long)s), workload.WorkingSetBytes());
    }

    [Fact]
    public void ExpectedSha256_WorkingSetKey_EqualsOriginContent()
    {
        var workload = new Workload(Options("16k=1"));

        Assert.Equal(LoadTestContent.ObjectSha256(42, 16 * 1024), workload.ExpectedSha256(42));
        Assert.Equal("/obj/42/16384", workload.PathOf(42));
        Assert.Equal($"/obj/{Workload.RevalidateBase}/16384?ttl=1", workload.PathOf(Workload.RevalidateBase));
    }

    [Fact]
    public void ZipfSampler_ExponentOne_HeadDrawnFarMoreThanTail()
    {
        var zipf = new ZipfSampler(1000, 1.0);
        var random = new Random(1);
        var counts = new int[1000];
        for (var i = 0; i < 100_000; i++)
        {
            counts[zipf.Next(random)]++;
        }

        // P(rank 0) = 1 / H(1000) ≈ 13.4 %; the last 500 ranks together ≈ 9 %.
        Assert.InRange(counts[0], 12_000, 15_000);
        Assert.InRange(counts.Skip(500).Sum(), 7_000, 11_000);
    }

    [Theory]
    [InlineData("ZProxy; hit; ttl=3510", nameof(Outcome.Hit))]
    [InlineData("ZProxy; fwd=miss; stored", nameof(Outcome.Miss))]
    [InlineData("ZProxy; fwd=uri-miss", nameof(Outcome.Miss))]
    [InlineData("ZProxy; fwd=stale; fwd-status=304; ttl=1", nameof(Outcome.Revalidated))]
    [InlineData("ZProxy; hit, Upstream; fwd=miss", nameof(Outcome.Hit))]
    [InlineData("ZProxy", nameof(Outcome.Unknown))]
    public void Classify_CacheStatus_Outcome(string cacheStatus, string expected)
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("Cache-Status", cacheStatus);

        Assert.Equal(expected, ScenarioRunner.Classify(response).ToString());
    }

    [Fact]
    public void Parse_PurgesWithoutAdmin_Rejected()
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            ScenarioOptions.Parse(new Arguments(["--proxy", "http://127.0.0.1:1", "--mix", "get=9,purge=1"])));

        Assert.Contains("--admin", exception.Message, StringComparison.Ordinal);
    }
}
