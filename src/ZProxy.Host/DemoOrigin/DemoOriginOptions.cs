using System.ComponentModel.DataAnnotations;

namespace ZProxy.Host.DemoOrigin;

/// <summary>The bundled demo origin the default configuration routes to. Bound from <c>ZProxy:DemoOrigin</c>.</summary>
public sealed class DemoOriginOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "ZProxy:DemoOrigin";

    /// <summary>Whether ZProxy starts the demo origin next to itself.</summary>
    /// <remarks>Default false; the repository's <c>appsettings.json</c> turns it on so a fresh clone serves
    /// something. Turn it off when the routes point at real origins.</remarks>
    public bool Enabled { get; set; }

    /// <summary>Where the demo origin listens.</summary>
    /// <remarks>Default <c>http://127.0.0.1:8081</c>, the address of the <c>demo</c> cluster in
    /// <c>appsettings.json</c>.</remarks>
    [Required]
    [Url(ErrorMessage = "ZProxy:DemoOrigin:Url must be an absolute http:// URL such as http://127.0.0.1:8081.")]
    public string Url { get; set; } = "http://127.0.0.1:8081";
}
