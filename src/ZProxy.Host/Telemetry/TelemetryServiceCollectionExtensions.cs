using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ZProxy.Telemetry;

namespace ZProxy.Host.Telemetry;

/// <summary>Wires the OpenTelemetry SDK: ZProxy's meters and spans plus ASP.NET Core, HttpClient and runtime instrumentation.</summary>
internal static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddZProxyTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(TelemetryOptions.SectionName);
        services.AddOptions<TelemetryOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();

        // The SDK's pipeline is built once at start; the exporter choice is read here, not reloaded.
        var settings = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter([.. ZProxyTelemetry.MeterNames])
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) =>
            metrics.AddView(OnlyThisHostsMeters(provider.GetRequiredService<IMeterFactory>())));

        if (settings.Otlp.Enabled && Uri.TryCreate(settings.Otlp.Endpoint, UriKind.Absolute, out var endpoint))
        {
            // Spans only when something receives them: recording them for nobody costs every
            // request (tags, allocations) and Prometheus carries no traces.
            otel.WithTracing(tracing => tracing
                    .AddSource(ZProxyTelemetry.ActivitySourceName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter(settings.Otlp.Protocol, endpoint);
        }

        return services;
    }

    // The SDK subscribes to meters by name, process-wide: two hosts in one process (tests, or an
    // application embedding ZProxy twice) would each export the other's ZProxy, Kestrel and hosting
    // series under the same labels, a duplicate series Prometheus rejects. Meters made by a host's
    // IMeterFactory carry that factory as their scope; process-wide meters (runtime) have none.
    private static Func<Instrument, MetricStreamConfiguration?> OnlyThisHostsMeters(IMeterFactory own) =>
        instrument => instrument.Meter.Scope is IMeterFactory other && !ReferenceEquals(other, own)
            ? MetricStreamConfiguration.Drop
            : null;
}
