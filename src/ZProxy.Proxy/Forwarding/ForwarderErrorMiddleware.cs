using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using ZProxy.Proxy.Diagnostics;

namespace ZProxy.Proxy.Forwarding;

/// <summary>
/// Turns YARP's bare error status codes into short plain-text answers a person can read, and logs
/// and counts each failure. Runs in the <c>MapReverseProxy</c> pipeline around the forwarder.
/// Requests YARP cannot forward at all are answered here before they reach it.
/// </summary>
internal sealed class ForwarderErrorMiddleware(RequestDelegate next, ProxyMetrics metrics, ILogger<ForwarderErrorMiddleware> logger)
{
    private static readonly byte[] ConnectNotImplemented = "501 Not Implemented: ZProxy is a reverse proxy and does not open CONNECT tunnels.\n"u8.ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        if (IsTunnelRequest(context))
        {
            // YARP refuses CONNECT (tunnels are a forward proxy's job) by throwing, which read as an origin
            // failure: a 502 and a logged stack trace per request, a cheap way to flood the log. 501 says the
            // server does not support the method (RFC 9110 §15.6.2); 405 would need an Allow header, which a
            // proxy that forwards every other method cannot give. (nginx 1.22 answers 400; Varnish pipes
            // CONNECT to the backend.)
            context.Response.StatusCode = StatusCodes.Status501NotImplemented;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            context.Response.ContentLength = ConnectNotImplemented.Length;
            await context.Response.Body.WriteAsync(ConnectNotImplemented, context.RequestAborted);
            return;
        }

        await next(context);

        var error = context.GetForwarderErrorFeature();
        if (error is null || error.Error == ForwarderError.None)
        {
            return;
        }

        var tag = ErrorTag(error.Error);
        metrics.ForwardError(tag);
        ProxyLog.ForwardFailed(logger, context.Request.Method, tag, context.Response.StatusCode, error.Exception);

        // A response already under way (origin died mid-body) cannot be replaced: YARP aborts it so the
        // client sees a broken transfer, never a short body that looks complete. A client that left
        // needs no answer.
        var message = MessageFor(context.Response.StatusCode);
        if (context.Response.HasStarted || message is null || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(message, context.RequestAborted);
    }

    // A plain CONNECT; WebSockets over HTTP/2 arrive as an extended CONNECT, which YARP forwards.
    private static bool IsTunnelRequest(HttpContext context)
        => HttpMethods.IsConnect(context.Request.Method)
            && context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect != true;

    // YARP has already chosen the status: 504 when the origin timed out, 503 when no destination is
    // healthy, 502 for the rest.
    private static string? MessageFor(int status) => status switch
    {
        StatusCodes.Status502BadGateway => "502 Bad Gateway: the origin could not be reached or failed while answering.\n",
        StatusCodes.Status503ServiceUnavailable => "503 Service Unavailable: no healthy origin is available.\n",
        StatusCodes.Status504GatewayTimeout => "504 Gateway Timeout: the origin did not answer in time.\n",
        _ => null,
    };

    private static string ErrorTag(ForwarderError error) => error switch
    {
        ForwarderError.Request => "request",
        ForwarderError.RequestTimedOut => "timeout",
        ForwarderError.RequestCanceled => "client_aborted",
        ForwarderError.NoAvailableDestinations => "no_destination",
        ForwarderError.ResponseHeaders => "response_headers",
        // In YARP's words the "destination" is the origin and the "client" is ZProxy's client.
        ForwarderError.ResponseBodyDestination => "origin_response_body",
        ForwarderError.ResponseBodyClient or ForwarderError.ResponseBodyCanceled => "client_aborted",
        ForwarderError.RequestBodyClient or ForwarderError.RequestBodyCanceled => "request_body_client",
        ForwarderError.RequestBodyDestination => "request_body_origin",
        _ => "other",
    };
}
