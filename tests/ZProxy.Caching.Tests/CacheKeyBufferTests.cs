using System.Text;
using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Keys;

namespace ZProxy.Caching.Tests;

/// <summary>
/// Keys written into stack buffers must be byte-identical to the keys the string builder made before
/// (<see cref="ReferenceCacheKeyBuilder"/>): a changed key would orphan every stored entry and split
/// purges from lookups. Deterministic pseudo-random inputs over the characters the normalisation
/// looks at, plus the lengths where the buffer rents (keys over 256 chars, queries over 32 parameters).
/// </summary>
public class CacheKeyBufferTests
{
    private const string Alphabet = "aAzZ09fF%%%&&==?/:~-._ \u0130\u00c4";
    private static readonly string[] Schemes = ["http", "https", "HTTP", "HtTpS", "ftp", "\u0130http"];
    private static readonly string[] Hosts =
    [
        "example.com", "Example.COM", "example.com:80", "example.com:443", "EXAMPLE.com:8080", "example.com:", "[::1]", "[::1]:80",
        "[::1]:443", "[FE80::1]:8443", "h\u00c4:80", "\u0130ST.example", "", ":", "a:b:80",
    ];

    private static readonly CacheKeyOptions[] Options =
    [
        new(),
        new() { IgnoredQueryParameters = ["a", "utm_source"] },
        new() { QueryMode = QueryStringMode.Sorted },
        new() { QueryMode = QueryStringMode.Sorted, IgnoredQueryParameters = ["a", "%41"] },
        new() { QueryMode = QueryStringMode.Ignore },
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Write_RandomRequests_EqualsReferenceBuilder(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 4000; i++)
        {
            var scheme = Schemes[random.Next(Schemes.Length)];
            var host = Hosts[random.Next(Hosts.Length)];
            var path = random.Next(8) == 0 ? string.Empty : "/" + Next(random, random.Next(4) == 0 ? 400 : 24);
            var query = random.Next(4) switch
            {
                0 => null,
                1 => "?" + Next(random, 24),
                2 => Next(random, 24),
                _ => "?" + Parameters(random, random.Next(2) == 0 ? 5 : 80),
            };
            var options = Options[random.Next(Options.Length)];
            var expected = ReferenceCacheKeyBuilder.Build(scheme, host, path, query, options);

            Assert.Equal(expected, CacheKeyBuilder.Build(scheme, host, path, query, options));

            // The path in two parts (PathBase + Path) gives the key of the whole path.
            var split = path.Length == 0 ? 0 : random.Next(path.Length + 1);
            Assert.Equal(expected, Written(scheme, host, path[..split], path[split..], query, options));
        }
    }

    [Theory]
    [InlineData("http", "Example.com:80", "/a%7e%2f", "?b=%41&a=1&a=0", "http://example.com/a~%2F?a=0&a=1&b=A")]
    [InlineData("https", "h", "", "?", "https://h/")]
    [InlineData("https", "h", "", "?a=1&a", "https://h/")]
    public void Write_KnownKeys(string scheme, string host, string path, string query, string expected)
    {
        var options = new CacheKeyOptions { QueryMode = QueryStringMode.Sorted, IgnoredQueryParameters = path.Length == 0 ? ["a"] : [] };
        Assert.Equal(expected, Written(scheme, host, path, "", query, options));
    }

    [Fact]
    public void TryAppendSecondary_EqualsVaryKeyCompute_AndRefusesStar()
    {
        var headers = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase)
        {
            ["Accept-Encoding"] = "GZIP,  br",
            ["Accept"] = "text/html ; q=1",
        };
        Span<char> initial = stackalloc char[8];
        foreach (var vary in new[] { "Accept-Encoding", "accept, Accept-Encoding, X-Absent", "" })
        {
            var spec = VarySpec.Parse(vary);
            var buffer = new CacheKeyBuffer(initial);
            try
            {
                buffer.Append('k');
                Assert.True(buffer.TryAppendSecondary(spec, headers));
                Assert.Equal("k" + VaryKey.Compute(spec, headers), buffer.ToString());
            }
            finally
            {
                buffer.Dispose();
            }
        }

        var star = new CacheKeyBuffer(stackalloc char[8]);
        star.Append('k');
        Assert.False(star.TryAppendSecondary(VarySpec.Star, headers));
        Assert.Equal(1, star.Length);
        star.Dispose();
    }

    [Fact]
    public void Write_PlainAndSortedKeys_AllocateNothing()
    {
        var sorted = new CacheKeyOptions { QueryMode = QueryStringMode.Sorted, IgnoredQueryParameters = ["utm_source"] };
        Assert.Equal(0, Measure(static options => Length("https", "WWW.Example.com:443", "/files/%7euser/a%2fb", "?q=%65&utm_source=x&b=2&a=1", options), sorted));
        Assert.Equal(0, Measure(static options => Length("http", "example.com", "/assets/app.3f9c2b.js", "", options), new CacheKeyOptions()));
    }

    /// <summary>
    /// The fewest bytes any of several rounds of 100 calls allocated. Until the JIT has moved a method to
    /// its optimised tier, a call can allocate for the runtime's own bookkeeping (96 B a call was seen);
    /// a per-call allocation of ours shows in every round, so the minimum is 0 only when the code itself
    /// allocates nothing.
    /// </summary>
    private static long Measure(Func<CacheKeyOptions, int> write, CacheKeyOptions options)
    {
        // Up to 15 s: on a busy machine the JIT's background tier-up can take seconds.
        var fewest = long.MaxValue;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        for (var round = 0; fewest > 0 && (round < 3 || DateTime.UtcNow < deadline); round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                write(options);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            Thread.Sleep(50);
        }

        return fewest;
    }

    private static int Length(string scheme, string host, string path, string query, CacheKeyOptions options)
    {
        var buffer = new CacheKeyBuffer(stackalloc char[CacheKeyBuffer.StackChars]);
        try
        {
            CacheKeyBuilder.Write(ref buffer, scheme, host, default, path, query, options);
            return buffer.Length;
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static string Written(string scheme, string host, string pathBase, string path, string? query, CacheKeyOptions options)
    {
        // A small initial buffer, so growing into rented memory is exercised too.
        var buffer = new CacheKeyBuffer(stackalloc char[16]);
        try
        {
            CacheKeyBuilder.Write(ref buffer, scheme, host, pathBase, path, query, options);
            return buffer.ToString();
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static string Next(Random random, int maxLength)
    {
        var length = random.Next(maxLength + 1);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        return builder.ToString();
    }

    private static string Parameters(Random random, int maxCount)
    {
        string[] names = ["a", "b", "utm_source", "%41", "A", "", "a%3d"];
        var count = random.Next(maxCount + 1);
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append('&');
            }

            builder.Append(names[random.Next(names.Length)]);
            if (random.Next(3) > 0)
            {
                builder.Append('=').Append(Next(random, 4));
            }
        }

        return builder.ToString();
    }
}
