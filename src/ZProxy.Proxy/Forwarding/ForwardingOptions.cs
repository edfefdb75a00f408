using System.ComponentModel.DataAnnotations;

namespace ZProxy.Proxy.Forwarding;

/// <summary>How ZProxy forwards requests to origins. Bound from <c>ZProxy:Forwarding</c>.</summary>
public sealed class ForwardingOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "ZProxy:Forwarding";

    /// <summary>What to do with <c>X-Forwarded-For</c>, <c>-Proto</c>, <c>-Host</c> and <c>-Prefix</c>.</summary>
    /// <remarks>
    /// Default <see cref="XForwardedMode.Set"/>: the origin sees the client ZProxy talked to, and a
    /// client cannot forge its address through ZProxy. A route that configures its own
    /// <c>X-Forwarded</c> or <c>Forwarded</c> transform keeps it.
    /// </remarks>
    public XForwardedMode XForwarded { get; set; } = XForwardedMode.Set;

    /// <summary>The pseudonym ZProxy names itself by in the <c>Via</c> header (RFC 9110 §7.6.3).</summary>
    /// <remarks>Default <c>zproxy</c>. Empty turns the <c>Via</c> header off, which RFC 9110 allows only
    /// for a gateway that does not want to be seen; keep it on for a cache.</remarks>
    [RegularExpression("^[!#$%&'*+.^_`|~0-9A-Za-z-]*$", ErrorMessage = "ViaPseudonym must be an HTTP token (letters, digits and !#$%&'*+.^_`|~-).")]
    public string ViaPseudonym { get; set; } = "zproxy";

    /// <summary>How long to wait for an origin to send response headers, or between reads of its body,
    /// before answering 504. Applies to clusters that set no <c>HttpRequest:ActivityTimeout</c> of their own.</summary>
    /// <remarks>Default 60 seconds, as Varnish's <c>first_byte_timeout</c> and nginx's <c>proxy_read_timeout</c>.</remarks>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "OriginTimeout must be between 1 ms and 1 hour.")]
    public TimeSpan OriginTimeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>What ZProxy does with the <c>X-Forwarded-*</c> headers of a forwarded request.</summary>
public enum XForwardedMode
{
    /// <summary>Replace whatever the client sent with ZProxy's view of the client.</summary>
    Set,

    /// <summary>Append ZProxy's view to what the client (or a proxy in front of ZProxy) sent.</summary>
    Append,

    /// <summary>Send none; pass on what the client sent unchanged.</summary>
    Off,
}
