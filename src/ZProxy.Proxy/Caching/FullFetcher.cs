using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using ZProxy.Caching;
using ZProxy.Caching.Status;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// Leads a fill with a full GET detached from the client that caused it. A HEAD or Range miss cannot
/// fill the cache with its own answer, so, as nginx (<c>proxy_cache_convert_head</c>, Range not
/// passed upstream when caching) and Varnish do, ZProxy fetches the whole representation for the
/// store and answers the client from it as it arrives, like any request coalesced onto a fill.
/// </summary>
internal sealed partial class FullFetcher(IHttpForwarder forwarder, HttpCache cache, FillTable fills, ILogger<FullFetcher> logger)
{
    /// <summary>
    /// Starts the fetch for <paramref name="fill"/>, which the caller leads. False when the request
    /// has no route to send it on (the fill is then ended and removed).
    /// </summary>
    public bool TryStart(HttpContext client, CachePolicyOptions policy, CacheOptions options, string primaryKey, string storeKey,
        CacheStatusForward forward, Fill fill)
    {
        if (!DetachedOriginRequest.TryCreate(client, out var request))
        {
            fill.PublishNotStoring();
            fills.Remove(storeKey, fill);
            return false;
        }

        _ = Task.Run(() => FetchAsync(request, policy, options, primaryKey, storeKey, forward, fill));
        return true;
    }

    private async Task FetchAsync(DetachedOriginRequest request, CachePolicyOptions policy, CacheOptions options, string primaryKey,
        string storeKey, CacheStatusForward forward, Fill fill)
    {
        var exchange = new OriginExchange(request.Context, cache, policy, options, primaryKey, forward, fill);

        // A response that is not being stored is of no use here: stop reading its body.
        _ = fill.Outcome.ContinueWith(static (outcome, state) =>
        {
            if (outcome.Result.Response is null)
            {
                ((DetachedOriginRequest)state!).Abort();
            }
        }, request, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

        try
        {
            var error = await request.SendAsync(forwarder, exchange);
            Log.Fetched(logger, request.Context.Response.StatusCode, error.ToString());
        }
        catch (Exception exception)
        {
            exchange.Abort();
            Log.FetchFailed(logger, exception);
        }
        finally
        {
            // Waiters that were still waiting for the headers go to the origin themselves.
            fill.PublishNotStoring();
            fills.Remove(storeKey, fill);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2003, EventName = "FullFetch", Level = LogLevel.Debug,
            Message = "Full fetch for a HEAD or Range miss answered {StatusCode} (forwarder error: {Error}).")]
        public static partial void Fetched(ILogger logger, int statusCode, string error);

        [LoggerMessage(EventId = 2004, EventName = "FullFetchFailed", Level = LogLevel.Warning,
            Message = "Full fetch for a HEAD or Range miss failed.")]
        public static partial void FetchFailed(ILogger logger, Exception exception);
    }
}
