using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace ZProxy.Proxy.Forwarding;

/// <summary>
/// Adds what every forwarded exchange needs, on every route: <c>Via</c> in both directions, the
/// configured <c>X-Forwarded-*</c> handling, and removal of the headers a <c>Connection</c> header
/// nominates (YARP removes the fixed hop-by-hop set, not the nominated ones).
/// </summary>
internal sealed class ForwardingTransformProvider(IOptions<ForwardingOptions> options) : ITransformProvider
{
    private readonly ForwardingOptions _options = options.Value;

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        // A route that configured X-Forwarded or Forwarded itself has already turned the defaults off.
        if (context.UseDefaultForwarders != false)
        {
            context.UseDefaultForwarders = false;
            switch (_options.XForwarded)
            {
                case XForwardedMode.Set:
                    context.AddXForwarded(ForwardedTransformActions.Set);
                    break;
                case XForwardedMode.Append:
                    context.AddXForwarded(ForwardedTransformActions.Append);
                    break;
                case XForwardedMode.Off:
                    break;
            }
        }

        var pseudonym = _options.ViaPseudonym;
        context.AddRequestTransform(transformContext =>
        {
            RemoveNominatedHeaders(transformContext);
            if (pseudonym.Length > 0)
            {
                // RFC 9110 §7.6.3: each intermediary appends the protocol it received the message with.
                var via = ViaValue(transformContext.HttpContext.Request.Protocol, pseudonym);
                var existing = RequestTransform.TakeHeader(transformContext, HeaderNames.Via);
                RequestTransform.AddHeader(transformContext, HeaderNames.Via, StringValues.Concat(existing, via));
            }

            return ValueTask.CompletedTask;
        });

        context.AddResponseTransform(transformContext =>
        {
            var proxyResponse = transformContext.ProxyResponse;
            if (proxyResponse is null)
            {
                return ValueTask.CompletedTask;
            }

            var responseHeaders = transformContext.HttpContext.Response.Headers;
            foreach (var nominated in proxyResponse.Headers.Connection)
            {
                responseHeaders.Remove(nominated);
            }

            if (pseudonym.Length > 0)
            {
                responseHeaders.Append(HeaderNames.Via, ViaValue(proxyResponse.Version, pseudonym));
            }

            return ValueTask.CompletedTask;
        });
    }

    private static void RemoveNominatedHeaders(RequestTransformContext context)
    {
        // RFC 9110 §7.6.1: a proxy removes every field the Connection header names before forwarding.
        // YARP copies request headers lazily, so removal goes through its helper, which knows where
        // the headers are at this point.
        foreach (var line in context.HttpContext.Request.Headers.Connection)
        {
            foreach (var range in line.AsSpan().Split(','))
            {
                var name = line.AsSpan(range).Trim(" \t");
                if (name.IsEmpty)
                {
                    continue;
                }

                RequestTransform.RemoveHeader(context, name.ToString());
            }
        }
    }

    private static string ViaValue(string protocol, string pseudonym) => protocol switch
    {
        "HTTP/1.1" => "1.1 " + pseudonym,
        "HTTP/2" => "2 " + pseudonym,
        "HTTP/3" => "3 " + pseudonym,
        "HTTP/1.0" => "1.0 " + pseudonym,
        _ => protocol.StartsWith("HTTP/", StringComparison.Ordinal) ? protocol[5..] + " " + pseudonym : protocol + " " + pseudonym,
    };

    private static string ViaValue(Version version, string pseudonym) =>
        version.Major >= 2 ? version.Major + " " + pseudonym : version.Major + "." + version.Minor + " " + pseudonym;

}
