using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;

namespace ZProxy.Host.Telemetry;

/// <summary>OpenTelemetry settings. Bound from <c>ZProxy:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "ZProxy:Telemetry";

    /// <summary>The <c>service.name</c> resource attribute of every metric and span.</summary>
    /// <remarks>Default <c>zproxy</c>.</remarks>
    [Required]
    public string ServiceName { get; set; } = "zproxy";

    /// <summary>The OTLP exporter for metrics and traces.</summary>
    [ValidateObjectMembers]
    public OtlpOptions Otlp { get; set; } = new();
}

/// <summary>Where and how to export OTLP.</summary>
public sealed class OtlpOptions
{
    /// <summary>Whether metrics and traces are pushed to an OTLP collector.</summary>
    /// <remarks>Default false: the Prometheus endpoint on the admin listener is always on.</remarks>
    public bool Enabled { get; set; }

    /// <summary>The collector's base address.</summary>
    /// <remarks>Default <c>http://127.0.0.1:4317</c> (gRPC). For <see cref="OtlpExportProtocol.HttpProtobuf"/> use port 4318.</remarks>
    [Required]
    [Url(ErrorMessage = "ZProxy:Telemetry:Otlp:Endpoint must be an absolute URL such as http://127.0.0.1:4317.")]
    public string Endpoint { get; set; } = "http://127.0.0.1:4317";

    /// <summary>The OTLP transport: <c>Grpc</c> or <c>HttpProtobuf</c>.</summary>
    /// <remarks>Default <c>Grpc</c>.</remarks>
    public OtlpExportProtocol Protocol { get; set; } = OtlpExportProtocol.Grpc;
}
