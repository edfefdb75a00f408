namespace ZProxy.Caching.Reuse;

/// <summary>What the glue does with an incoming request before any lookup.</summary>
public enum RequestDisposition
{
    /// <summary>GET or HEAD: look the key up (HEAD is answered from a stored GET).</summary>
    Lookup = 0,

    /// <summary>Forward without lookup or storing (Cache-Status <c>fwd=bypass</c> or <c>fwd=method</c>).</summary>
    Bypass,

    /// <summary>An unsafe method: forward, then invalidate on a 2xx/3xx answer (RFC 9111 §4.4).</summary>
    ForwardAndInvalidate,
}
