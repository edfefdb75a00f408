using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using ZProxy.Caching;
using ZProxy.Caching.Keys;
using ZProxy.Caching.Storage;
using ZProxy.PageBlocks;
using ZProxy.Proxy.Caching;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>
/// A URL's variants are reachable only through its current Vary marker: variants stored under a marker
/// that is gone (purged, invalidated or evicted) are never served again, even once a new marker is stored
/// for the URL. A purge also removes the variants the marker tracked, so their memory is freed at once.
/// </summary>
public sealed class VariantGenerationTests : IDisposable
{
    private const string Url = "http://example.test/page";
    private readonly PageBlockStore _store = new(new PageBlockStoreOptions { MemoryLimit = new ByteSize(8L << 20) });
    private readonly HttpCache _cache;
    private readonly CachePolicyOptions _policy = new();

    public VariantGenerationTests() => _cache = new HttpCache(_store, TimeProvider.System);

    [Fact]
    public void VariantOfAMarkerThatIsGone_IsNotFoundAfterANewMarker()
    {
        Store("en", "english");
        Assert.Equal("english", Find("en"));

        // The marker goes (as a purge or the store's eviction would take it); the variant stays stored.
        Assert.True(_store.Remove(Url));
        Assert.Null(Find("en"));

        // A new variant brings a new marker, of a new generation: the old "en" must not come back.
        Store("fr", "french");
        Assert.Equal("french", Find("fr"));
        Assert.Null(Find("en"));
    }

    [Fact]
    public void Purge_RemovesTheUrlAndEveryVariantInOneStep()
    {
        Store("en", "english");
        Store("fr", "french");
        Assert.Equal("english", Find("en"));
        Assert.Equal("french", Find("fr"));

        Assert.True(_cache.Purge(Url));

        Assert.Null(Find("en"));
        Assert.Null(Find("fr"));
        Assert.False(_cache.Purge(Url));
    }

    [Fact]
    public void Purge_FreesTheVariantsAtOnce()
    {
        Store("en", "english");
        Store("fr", "french");
        Store("de", "deutsch");
        Assert.Equal(4, _store.GetStatistics().Objects);

        Assert.True(_cache.Purge(Url));

        // The marker and its three variants: nothing is left for eviction to find.
        Assert.Equal(0, _store.GetStatistics().Objects);
        Assert.Equal(0, _store.GetStatistics().UnfreedObjects);
    }

    [Fact]
    public void Purge_MoreVariantsThanTracked_AllUnreachableAndTheTrackedOnesFreed()
    {
        var languages = Enumerable.Range(0, VaryMarker.MaxTrackedVariants + 2).Select(i => "l" + i).ToList();
        foreach (var language in languages)
        {
            Store(language, "body " + language);
        }

        Assert.True(_cache.Purge(Url));

        Assert.All(languages, language => Assert.Null(Find(language)));
        Assert.Equal(2, _store.GetStatistics().Objects);
    }

    [Fact]
    public void NewMarkerForOtherFields_RemovesTheOldMarkersVariants()
    {
        Store("en", "english");
        Store("fr", "french");

        Store("gzip", "compressed", vary: "Accept-Encoding");

        // The new marker and its one variant; the Accept-Language variants are gone, not orphaned.
        Assert.Equal(2, _store.GetStatistics().Objects);
        Assert.Equal("compressed", Find("gzip", header: "Accept-Encoding"));
        Assert.Null(Find("en"));
    }

    [Fact]
    public void VariantsOfTheSameVary_ShareTheMarker()
    {
        Store("en", "english");
        Store("fr", "french");
        Store("de", "deutsch");

        Assert.Equal("english", Find("en"));
        Assert.Equal("french", Find("fr"));
        Assert.Equal("deutsch", Find("de"));
    }

    public void Dispose() => _store.Dispose();

    private void Store(string value, string body, string vary = "Accept-Language")
    {
        var request = Headers(value, vary);
        var headers = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase)
        {
            ["Cache-Control"] = "max-age=60",
            ["Vary"] = vary,
        };
        var now = DateTimeOffset.UtcNow;
        var metadata = StoredResponseMetadata.Create(request, StatusCodes.Status200OK, headers, now, now, _policy);
        var response = new CachedResponse(metadata, headers, [], Url);
        using var writer = _store.CreateWriter(body.Length);
        Assert.True(writer.TryAppend(System.Text.Encoding.ASCII.GetBytes(body)));
        var key = _cache.PrepareStoreKey(response);
        Assert.NotNull(key);
        Assert.True(writer.TryCommit(key, response, response.ApproximateSize));
    }

    private string? Find(string value, string header = "Accept-Language")
    {
        var key = new CacheKeyBuffer(stackalloc char[256]);
        try
        {
            foreach (var c in Url)
            {
                key.Append(c);
            }

            var lookup = _cache.Lookup(ref key, Headers(value, header));
            if (lookup.Result != CacheLookupResult.Found)
            {
                return null;
            }

            using var lease = lookup.Lease;
            var bytes = new List<byte>();
            foreach (var segment in lease.Segments)
            {
                bytes.AddRange(segment.Memory.ToArray());
            }

            return System.Text.Encoding.ASCII.GetString([.. bytes]);
        }
        finally
        {
            key.Dispose();
        }
    }

    private static Dictionary<string, StringValues> Headers(string value, string header = "Accept-Language") =>
        new(StringComparer.OrdinalIgnoreCase) { [header] = value };
}
