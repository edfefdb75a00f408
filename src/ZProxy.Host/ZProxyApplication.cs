using Microsoft.Extensions.Options;
using ZProxy.Host.Admin;
using ZProxy.Host.DemoOrigin;
using ZProxy.Host.Telemetry;
using ZProxy.Host.Transport;
using ZProxy.Transport;
using ZProxy.Proxy;

namespace ZProxy.Host;

/// <summary>
/// The composition root. <c>Program</c> and the functional tests build ZProxy through the same two
/// calls, so what is tested is what runs.
/// </summary>
public static class ZProxyApplication
{
    /// <summary>Creates the builder and registers every part of ZProxy.</summary>
    /// <param name="args">Command-line arguments (standard ASP.NET Core configuration: <c>--urls</c>, <c>--ZProxy:Admin:Url=...</c>).</param>
    /// <param name="configure">Runs before the parts are registered, so it can add configuration sources.</param>
    public static WebApplicationBuilder CreateBuilder(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        var configuration = builder.Configuration;
        AddValidatedOptions<AdminOptions, AdminOptionsValidator>(builder.Services, configuration, AdminOptions.SectionName);
        AddValidatedOptions<DemoOriginOptions, DemoOriginOptionsValidator>(builder.Services, configuration, DemoOriginOptions.SectionName);

        AddTransport(builder);
        builder.Services.AddZProxyTelemetry(configuration);
        builder.Services.AddZProxyForwarding(configuration).AddZProxyCache(configuration);

        // Hosted services start in registration order: the demo origin is up before the admin listener.
        builder.Services.AddSingleton<DemoOriginService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DemoOriginService>());
        builder.Services.AddSingleton<AdminEndpointService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AdminEndpointService>());
        return builder;
    }

    /// <summary>Builds the application and its request pipeline.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();

        // The settings are validated here, not when the host starts: a refused setting is then reported once, by
        // Program as one line, and not also logged with a stack trace as a hosting failure.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        var transport = TransportChoice(app.Configuration);
        HostLog.TransportChosen(app.Logger, transport.Mode, transport.Scheduling, InlineSocketCompletions.IsRequested);
        app.MapReverseProxy(proxy =>
        {
            proxy.UseZProxyErrorResponses();
            proxy.UseZProxyCache();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    private static void AddTransport(WebApplicationBuilder builder)
    {
        // Read once: the listener factory is chosen before the server exists.
        var section = builder.Configuration.GetSection(TransportModeOptions.SectionName);
        var choice = TransportChoice(builder.Configuration);
        var inline = choice.Scheduling == TransportScheduling.Inline;
        if (inline)
        {
            InlineSocketCompletions.Request();
        }

        if (choice.Mode == TransportMode.ZeroCopy)
        {
            builder.WebHost.UseZProxyTransport(options =>
            {
                section.Bind(options);
                options.InlineRequestScheduling = inline;
            });
        }
        else
        {
            builder.WebHost.UseSockets(options => options.UnsafePreferInlineScheduling = inline);
            builder.Services.AddZProxyHitBody();
        }
    }

    /// <summary>The transport and scheduling in effect: <c>ZeroCopy</c> only on Linux.</summary>
    private static TransportModeOptions TransportChoice(IConfiguration configuration)
    {
        var choice = configuration.GetSection(TransportModeOptions.SectionName).Get<TransportModeOptions>() ?? new TransportModeOptions();
        if (!OperatingSystem.IsLinux())
        {
            choice.Mode = TransportMode.Kestrel;
        }

        return choice;
    }

    private static void AddValidatedOptions<TOptions, TValidator>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
    }
}
