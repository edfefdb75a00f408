using System.ComponentModel.DataAnnotations;

namespace ZProxy.Host.Admin;

/// <summary>The admin listener: metrics and (later) cache administration. Bound from <c>ZProxy:Admin</c>.</summary>
public sealed class AdminOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "ZProxy:Admin";

    /// <summary>Whether the admin listener runs at all.</summary>
    /// <remarks>Default true.</remarks>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the admin listener binds. It is a listener of its own, never the public port.</summary>
    /// <remarks>Default <c>http://127.0.0.1:9090</c>. Security: it exposes internals; keep it on loopback or a
    /// management network.</remarks>
    [Required]
    [Url(ErrorMessage = "ZProxy:Admin:Url must be an absolute http:// URL such as http://127.0.0.1:9090.")]
    public string Url { get; set; } = "http://127.0.0.1:9090";

    /// <summary>The path of the Prometheus scrape endpoint on the admin listener.</summary>
    /// <remarks>Default <c>/metrics</c>.</remarks>
    [RegularExpression("^/.*", ErrorMessage = "ZProxy:Admin:MetricsPath must start with '/'.")]
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>A bearer token the cache administration endpoints require (<c>Authorization: Bearer ...</c>).</summary>
    /// <remarks>Default none: only <see cref="AllowList"/> guards them. Metrics and health need no token.</remarks>
    public string? Token { get; set; }

    /// <summary>Client addresses or CIDR ranges allowed to use the cache administration endpoints.</summary>
    /// <remarks>Empty (the default) means loopback only (<c>127.0.0.0/8</c>, <c>::1/128</c>). Configured entries
    /// replace that default rather than add to it.</remarks>
    public List<string> AllowList { get; set; } = [];
}
