using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// A GET for a client's URL on an <see cref="HttpContext"/> of its own, sent through YARP's forwarder
/// to the client's route and cluster with the route's transforms, as the client's request would have
/// been, but detached from the client: it outlives the client's request and nobody reads its
/// response (the body goes to <see cref="Stream.Null"/>; the cache tees it into the store). Used for
/// background refreshes (RFC 5861) and for the full fetch behind a HEAD or Range miss.
/// </summary>
internal sealed class DetachedOriginRequest
{
    // The client's own conditions and range are answered from the store, never passed on: the
    // cache wants the full, current representation (RFC 9111 §4.3.1, §3.4).
    private static readonly string[] ClientOnlyFields =
        [HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince, HeaderNames.IfMatch, HeaderNames.IfUnmodifiedSince, HeaderNames.Range, HeaderNames.IfRange];

    // Not disposed: it has no timer, and a late Abort must not throw.
    private readonly CancellationTokenSource _aborted = new();
    private readonly RouteModel _route;
    private readonly ClusterModel _cluster;
    private readonly DestinationState _destination;

    private DetachedOriginRequest(HttpContext context, RouteModel route, ClusterModel cluster, DestinationState destination)
    {
        Context = context;
        context.RequestAborted = _aborted.Token;
        _route = route;
        _cluster = cluster;
        _destination = destination;
    }

    /// <summary>The detached request's own context.</summary>
    public HttpContext Context { get; }

    /// <summary>
    /// Copies what the request needs now (the client's HttpContext is recycled when its request
    /// ends). False when the client's request has no YARP route or no destination to send to.
    /// </summary>
    public static bool TryCreate(HttpContext client, out DetachedOriginRequest request)
    {
        request = null!;
        var proxy = client.Features.Get<IReverseProxyFeature>();
        var destination = proxy is null ? null
            : proxy.AvailableDestinations.Count > 0 ? proxy.AvailableDestinations[0] : proxy.AllDestinations.FirstOrDefault();
        if (proxy?.Cluster is not { } cluster || destination is null)
        {
            return false;
        }

        var context = new DefaultHttpContext();
        var source = client.Request;
        var copy = context.Request;
        copy.Method = HttpMethods.Get;
        copy.Scheme = source.Scheme;
        copy.Host = source.Host;
        copy.PathBase = source.PathBase;
        copy.Path = source.Path;
        copy.QueryString = source.QueryString;
        copy.Protocol = source.Protocol;
        foreach (var (name, values) in source.Headers)
        {
            if (!ClientOnlyFields.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                copy.Headers[name] = values;
            }
        }

        context.Connection.RemoteIpAddress = client.Connection.RemoteIpAddress;
        request = new DetachedOriginRequest(context, proxy.Route, cluster, destination);
        return true;
    }

    /// <summary>Stops the request (YARP cancels the origin exchange), for a response nobody wants.</summary>
    public void Abort() => _aborted.Cancel();

    /// <summary>
    /// Forwards the request with <paramref name="exchange"/> deciding on its response as it starts
    /// and committing or dropping what was stored; completes when the origin's whole response was
    /// read or failed.
    /// </summary>
    public async Task<ForwarderError> SendAsync(IHttpForwarder forwarder, OriginExchange exchange)
    {
        // Nobody reads this response (its body goes to Stream.Null): the exchange only fills the store.
        var (interceptor, _) = exchange.Intercept();
        var error = await forwarder.SendAsync(Context, _destination.Model.Config.Address, _cluster.HttpClient,
            _cluster.Config.HttpRequest ?? ForwarderRequestConfig.Empty, _route.Transformer);
        interceptor.EnsureDecided();
        exchange.Finish(completed: error == ForwarderError.None);
        return error;
    }
}
