using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using ZProxy.Caching;
using ZProxy.Caching.Reuse;
using ZProxy.Caching.Status;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// Refreshes a stale entry in the background while the stale copy is served (RFC 5861
/// stale-while-revalidate): at most one refresh per key at a time, sent through YARP's forwarder to
/// the route's cluster with the route's transforms, as the client's own request would have been.
/// </summary>
internal sealed partial class BackgroundRevalidator(IHttpForwarder forwarder, HttpCache cache, ILogger<BackgroundRevalidator> logger)
{
    private static readonly string[] ConditionalFields =
        [HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince, HeaderNames.IfMatch, HeaderNames.IfUnmodifiedSince, HeaderNames.Range, HeaderNames.IfRange];

    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);

    /// <summary>Refreshes in flight (for tests and shutdown).</summary>
    public int RunningCount => _running.Count;

    public void TryStart(HttpContext context, CachePolicyOptions policy, CacheOptions options, string primaryKey, string storeKey,
        CachedResponse cached, ReuseResult reuse)
    {
        var proxy = context.Features.Get<IReverseProxyFeature>();
        var destination = proxy is null ? null
            : proxy.AvailableDestinations.Count > 0 ? proxy.AvailableDestinations[0] : proxy.AllDestinations.FirstOrDefault();
        if (proxy is null || destination is null || !_running.TryAdd(storeKey, 0))
        {
            return;
        }

        // Copy what the refresh needs now: the client's HttpContext is recycled when its request ends.
        var refresh = new DefaultHttpContext();
        var source = context.Request;
        var request = refresh.Request;
        request.Method = HttpMethods.Get;
        request.Scheme = source.Scheme;
        request.Host = source.Host;
        request.PathBase = source.PathBase;
        request.Path = source.Path;
        request.QueryString = source.QueryString;
        request.Protocol = source.Protocol;
        foreach (var (name, values) in source.Headers)
        {
            if (!ConditionalFields.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                request.Headers[name] = values;
            }
        }

        if (reuse.IfNoneMatch is not null)
        {
            request.Headers.IfNoneMatch = reuse.IfNoneMatch;
        }

        if (reuse.IfModifiedSince is not null)
        {
            request.Headers.IfModifiedSince = reuse.IfModifiedSince;
        }

        refresh.Connection.RemoteIpAddress = context.Connection.RemoteIpAddress;
        _ = Task.Run(() => RefreshAsync(refresh, proxy.Route, proxy.Cluster!, destination, policy, options, primaryKey, storeKey, cached));
    }

    private async Task RefreshAsync(HttpContext refresh, RouteModel route, ClusterModel cluster, DestinationState destination,
        CachePolicyOptions policy, CacheOptions options, string primaryKey, string storeKey, CachedResponse cached)
    {
        try
        {
            if (!cache.Store.TryLease(storeKey, out var lease))
            {
                return;
            }

            using (lease)
            {
                var exchange = new OriginExchange(refresh, cache, policy, options, primaryKey, CacheStatusForward.Stale, fill: null,
                    stored: cached, storedKey: storeKey, storedBody: lease.Owner);
                // Nobody reads this response (its body goes to Stream.Null): a refresh only updates the store.
                var (interceptor, _) = exchange.Intercept();
                var error = await forwarder.SendAsync(refresh, destination.Model.Config.Address, cluster.HttpClient,
                    cluster.Config.HttpRequest ?? ForwarderRequestConfig.Empty, route.Transformer);
                interceptor.EnsureDecided();
                exchange.Finish(completed: error == ForwarderError.None);
                Log.Refreshed(logger, refresh.Response.StatusCode, error.ToString());
            }
        }
        catch (Exception exception)
        {
            Log.RefreshFailed(logger, exception);
        }
        finally
        {
            _running.TryRemove(storeKey, out _);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, EventName = "BackgroundRefresh", Level = LogLevel.Debug,
            Message = "Background refresh answered {StatusCode} (forwarder error: {Error}).")]
        public static partial void Refreshed(ILogger logger, int statusCode, string error);

        [LoggerMessage(EventId = 2002, EventName = "BackgroundRefreshFailed", Level = LogLevel.Warning,
            Message = "Background refresh failed.")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}
