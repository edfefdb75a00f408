using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using ZProxy.Caching;
using ZProxy.Caching.Keys;
using ZProxy.Caching.Storage;
using ZProxy.PageBlocks;
using ZProxy.Proxy.Caching;
using ZProxy.Transport;

namespace ZProxy.Benchmarks.Caching;

/// <summary>
/// The cache middleware with a stored 1 KiB response, and three request contexts reused across calls the
/// way Kestrel reuses one per keep-alive connection (GET, HEAD, and GET with a matching If-None-Match).
/// </summary>
/// <remarks>
/// <para>The contexts are <see cref="DefaultHttpContext"/>s, as Kestrel's are, over feature objects that
/// stand in for Kestrel's <c>HttpProtocol</c>. The header collections are Kestrel's own
/// <c>HttpRequestHeaders</c> and <c>HttpResponseHeaders</c> (internal types, created by reflection), not
/// ASP.NET's <see cref="HeaderDictionary"/>: their costs differ where it matters here. Kestrel keeps known
/// fields (Age, Content-Length, ETag...) in fields and Content-Length as a number, where
/// <see cref="HeaderDictionary"/> hashes every name and formats Content-Length into a new string.
/// If a Kestrel upgrade renames or changes those types, this throws rather than measure something else.</para>
/// <para>The body goes to a <see cref="StreamResponseBodyFeature"/> over <see cref="Stream.Null"/>, so it is
/// copied (as in Kestrel mode; the zero-copy hand-off needs ZProxy's socket transport). The origin is
/// never called: the middleware's next step throws. The meters are listened to by a listener that drops
/// every measurement, so the instruments' enabled paths run (the exporter's own work is not included).</para>
/// </remarks>
internal sealed class HitPathHarness : IDisposable
{
    private const string KestrelHttp = "Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.";
    private const int BodyLength = 1024;

    private readonly ServiceProvider _services;
    private readonly MeterListener _listener = new();
    private readonly PageBlockStore _store;
    private readonly CacheMiddleware _middleware;
    private readonly HttpContext _get;
    private readonly HttpContext _head;
    private readonly HttpContext _notModified;

    public HitPathHarness(string shape)
    {
        var (path, query) = shape switch
        {
            "query" => ("/api/search", "?q=cache&page=2&sort=desc"),
            _ => ("/assets/app.3f9c2b.js", ""),
        };
        var vary = shape == "vary";

        _services = new ServiceCollection().AddZProxyHitBody().BuildServiceProvider();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("ZProxy", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _listener.Start();

        var options = new CacheOptions();
        var policy = options.Default;
        _store = new PageBlockStore(new PageBlockStoreOptions { MemoryLimit = new ByteSize(64L << 20) });
        var cache = new HttpCache(_store, TimeProvider.System);
        var metrics = new CacheMetrics(_services.GetRequiredService<IMeterFactory>());
        var fills = new FillTable();
        _middleware = new CacheMiddleware(
            static _ => throw new InvalidOperationException("A hit must not reach the origin."),
            cache,
            new CachePolicyResolver(new FixedOptionsMonitor(options)),
            fills,
            new CachedResponseWriter(metrics, _services.GetRequiredService<HitBodySender>()),
            new BackgroundRevalidator(new UnusedForwarder(), cache, NullLogger<BackgroundRevalidator>.Instance),
            new FullFetcher(new UnusedForwarder(), cache, fills, NullLogger<FullFetcher>.Instance),
            metrics);

        var route = new RouteModel(new RouteConfig { RouteId = "benchmark", ClusterId = "origin" }, cluster: null, HttpTransformer.Empty);
        _get = Context(route, "GET", path, query, conditional: false);
        _head = Context(route, "HEAD", path, query, conditional: false);
        _notModified = Context(route, "GET", path, query, conditional: true);

        Store(cache, policy, _get.Request, vary);
        Check(_get, Get(), StatusCodes.Status200OK);
        Check(_head, Head(), StatusCodes.Status200OK);
        Check(_notModified, NotModified(), StatusCodes.Status304NotModified);
    }

    public int Get() => Hit(_get);

    public int Head() => Hit(_head);

    public int NotModified() => Hit(_notModified);

    public void Dispose()
    {
        _listener.Dispose();
        _store.Dispose();
        _services.Dispose();
    }

    private int Hit(HttpContext context)
    {
        // What Kestrel resets between the requests of a connection.
        context.Response.StatusCode = StatusCodes.Status200OK;
        var task = _middleware.InvokeAsync(context);
        if (!task.IsCompletedSuccessfully)
        {
            task.GetAwaiter().GetResult();
        }

        return context.Response.StatusCode;
    }

    /// <summary>Stores the response as a fill would: metadata from the policy, the body under its store key.</summary>
    private static void Store(HttpCache cache, CachePolicyOptions policy, HttpRequest request, bool vary)
    {
        var now = cache.Time.GetUtcNow();
        var headers = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase)
        {
            ["Date"] = now.ToString("R"),
            ["Content-Type"] = "application/javascript",
            ["Content-Length"] = BodyLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Cache-Control"] = "public, max-age=3600",
            ["ETag"] = "\"5f2b-61a8c0\"",
            ["Last-Modified"] = "Thu, 01 Jan 2026 00:00:00 GMT",
            ["Server"] = "origin",
        };
        if (vary)
        {
            headers["Vary"] = "Accept-Encoding";
        }

        var key = CacheKeyBuilder.Build(request.Scheme, request.Host.Value!, request.Path.ToUriComponent(), request.QueryString.Value, policy.Key);
        var metadata = StoredResponseMetadata.Create(request.Headers, StatusCodes.Status200OK, headers, now, now, policy);
        var response = new CachedResponse(metadata, headers, [], key);
        using var writer = cache.Store.CreateWriter(BodyLength);
        writer.TryAppend(new byte[BodyLength]);
        if (cache.PrepareStoreKey(response) is not { } storeKey || !writer.TryCommit(storeKey, response, response.ApproximateSize))
        {
            throw new InvalidOperationException("The benchmark's response could not be stored.");
        }
    }

    /// <summary>Fails set-up unless the call was a hit answered from the store as expected.</summary>
    private static void Check(HttpContext context, int status, int expected)
    {
        var headers = context.Response.Headers;
        if (status != expected || !headers["Cache-Status"].ToString().StartsWith("ZProxy; hit", StringComparison.Ordinal) || headers.Age.Count != 1)
        {
            throw new InvalidOperationException($"Expected a hit answered {expected}, got {status} with Cache-Status '{headers["Cache-Status"]}'.");
        }
    }

    private static HttpContext Context(RouteModel route, string method, string path, string query, bool conditional)
    {
        var requestHeaders = Kestrel<IHeaderDictionary>("HttpRequestHeaders", true, null);
        requestHeaders.Host = "www.example.com";
        requestHeaders.UserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
        requestHeaders.Accept = "*/*";
        requestHeaders.AcceptEncoding = "gzip, deflate, br, zstd";
        requestHeaders.AcceptLanguage = "en-GB,en;q=0.5";
        requestHeaders.Referer = "https://www.example.com/index.html";
        if (conditional)
        {
            requestHeaders.IfNoneMatch = "\"5f2b-61a8c0\"";
        }

        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Scheme = "http",
            Method = method,
            Path = path,
            QueryString = query,
            RawTarget = path + query,
            Headers = requestHeaders,
        });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature { Headers = Kestrel<IHeaderDictionary>("HttpResponseHeaders", [null]) });
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        features.Set<IReverseProxyFeature>(new ReverseProxyFeature { Route = route, AllDestinations = [], AvailableDestinations = [] });
        return new DefaultHttpContext(features);
    }

    private static T Kestrel<T>(string typeName, params object?[] arguments)
    {
        var type = typeof(KestrelServer).Assembly.GetType(KestrelHttp + typeName, throwOnError: true)!;
        return (T)Activator.CreateInstance(type, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, arguments, null)!;
    }

    private sealed class FixedOptionsMonitor(CacheOptions options) : IOptionsMonitor<CacheOptions>
    {
        public CacheOptions CurrentValue => options;

        public CacheOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<CacheOptions, string?> listener) => null;
    }

    /// <summary>A hit never revalidates; anything that tries fails loudly.</summary>
    private sealed class UnusedForwarder : IHttpForwarder
    {
        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
            ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
            throw new InvalidOperationException("A hit must not be forwarded.");
    }
}
