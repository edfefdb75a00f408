using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
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
    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);

    /// <summary>Refreshes in flight (for tests and shutdown).</summary>
    public int RunningCount => _running.Count;

    public void TryStart(HttpContext context, CachePolicyOptions policy, CacheOptions options, string primaryKey, string storeKey,
        CachedResponse cached, ReuseResult reuse)
    {
        if (!_running.TryAdd(storeKey, 0))
        {
            return;
        }

        if (!DetachedOriginRequest.TryCreate(context, out var refresh))
        {
            _running.TryRemove(storeKey, out _);
            return;
        }

        // The client's validators are not passed on (see DetachedOriginRequest); the stored ones are.
        var headers = refresh.Context.Request.Headers;
        if (reuse.IfNoneMatch is not null)
        {
            headers.IfNoneMatch = reuse.IfNoneMatch;
        }

        if (reuse.IfModifiedSince is not null)
        {
            headers.IfModifiedSince = reuse.IfModifiedSince;
        }

        _ = Task.Run(() => RefreshAsync(refresh, policy, options, primaryKey, storeKey, cached));
    }

    private async Task RefreshAsync(DetachedOriginRequest refresh, CachePolicyOptions policy, CacheOptions options, string primaryKey,
        string storeKey, CachedResponse cached)
    {
        try
        {
            if (!cache.Store.TryLease(storeKey, out var lease))
            {
                return;
            }

            using (lease)
            {
                var exchange = new OriginExchange(refresh.Context, cache, policy, options, primaryKey, CacheStatusForward.Stale, fill: null,
                    stored: cached, storedKey: storeKey, storedBody: lease.Owner);
                // Nobody reads this response (its body goes to Stream.Null): a refresh only updates the store.
                var error = await refresh.SendAsync(forwarder, exchange);
                Log.Refreshed(logger, refresh.Context.Response.StatusCode, error.ToString());
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
