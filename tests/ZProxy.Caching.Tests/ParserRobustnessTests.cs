using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Freshness;
using ZProxy.Caching.Headers;
using ZProxy.Caching.Keys;
using ZProxy.Caching.Ranges;
using ZProxy.Caching.Storage;
using ZProxy.Caching.Tags;

namespace ZProxy.Caching.Tests;

/// <summary>
/// Field values come from the network: every parser must turn any input into a decision, never an
/// exception. Deterministic pseudo-random inputs built from the characters that matter to the grammars.
/// </summary>
public class ParserRobustnessTests
{
    private const string Alphabet = "\"\\,;=-*?:/() \t0123456789azAZ.W%&[]\u00e9\u0000";
    private static readonly string[] Fragments =
    [
        "max-age", "s-maxage", "no-cache", "private", "max-stale", "min-fresh", "stale-if-error", "stale-while-revalidate",
        "bytes", "GMT", "Sun,", "Nov", "1994", "08:49:37", "W/", "\"", "=", ",", ";", " ", "?1", "?0", "(", ")", "99999999999999999999",
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Parsers_RandomInput_NeverThrow_AndKeepInvariants(int seed)
    {
        var random = new Random(seed);
        var options = new CachePolicyOptions();
        for (var i = 0; i < 3000; i++)
        {
            var value = Next(random);
            var cc = CacheControlParser.Parse(value);
            Assert.True(cc.MaxAge is null or >= 0);
            Assert.True(cc.SharedMaxAge is null or >= 0);
            Assert.True(cc.MinFresh is null or >= 0);

            if (CacheControlParser.TryParseTargeted(value, "CDN-Cache-Control", out var targeted))
            {
                Assert.True(targeted.MaxAge is null or >= 0);
            }

            HttpDate.TryParse(value, Times.T0, out _);
            AgeCalculator.TryParseAge(value, out var age);
            Assert.True(age >= 0);
            EntityTag.AnyWeakMatch(value, "\"x\"");
            VarySpec.Parse(value);
            CacheTagParser.Parse(value);
            CacheKeyBuilder.Build("http", "h", "/" + value, value, new CacheKeyOptions { QueryMode = QueryStringMode.Sorted, IgnoredQueryParameters = ["a"] });

            var range = RangeEvaluator.EvaluateSingle(value, 100);
            if (range.Decision == RangeDecision.Partial)
            {
                Assert.InRange(range.Start, 0, 99);
                Assert.InRange(range.Start + range.Length, 1, 100);
            }

            var response = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase)
            {
                ["Cache-Control"] = value,
                ["Expires"] = value,
                ["Date"] = value,
                ["Age"] = value,
                ["Last-Modified"] = value,
                ["Vary"] = value,
                ["ETag"] = value,
            };
            var decision = StorabilityEvaluator.Evaluate("GET", response, 200, response, Times.T0, options);
            Assert.True(decision.Freshness.Lifetime >= TimeSpan.Zero);
            var meta = StoredResponseMetadata.Create(response, 200, response, Times.T0, Times.T0, options);
            Assert.True(meta.CorrectedInitialAge >= TimeSpan.Zero);
            Assert.True(meta.Freshness.Lifetime >= TimeSpan.Zero);

            var request = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase)
            {
                ["Cache-Control"] = value,
                ["Pragma"] = value,
                ["If-None-Match"] = value,
                ["If-Modified-Since"] = value,
                ["Range"] = "bytes=" + value,
                ["If-Range"] = value,
            };
            Reuse.ReuseEvaluator.Evaluate(request, meta, Times.T0.AddSeconds(i), options);
            Reuse.ReuseEvaluator.CanServeStaleOnError(request, meta, Times.T0.AddSeconds(i), options);
            Validation.ConditionalRequestEvaluator.Evaluate("GET", request, meta);
            RangeEvaluator.Evaluate("GET", request, meta, i);
            Validation.HeaderFreshener.Freshen(response, response, options, Times.T0);
            Validation.HeaderFreshener.Selects(response, response);
            var location = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase) { ["Location"] = value, ["Content-Location"] = "/" + value };
            foreach (var uri in Invalidation.InvalidationEvaluator.GetInvalidatedUris("POST", 200, new Uri("https://example.com/a/b"), location))
            {
                Assert.Equal("example.com", uri.Host);
            }
        }
    }

    private static string Next(Random random)
    {
        var length = random.Next(0, 12);
        var parts = new string[length];
        for (var j = 0; j < length; j++)
        {
            parts[j] = random.Next(3) == 0
                ? Fragments[random.Next(Fragments.Length)]
                : new string(Alphabet[random.Next(Alphabet.Length)], 1);
        }

        return string.Concat(parts);
    }
}
