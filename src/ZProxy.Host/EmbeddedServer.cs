namespace ZProxy.Host;

/// <summary>
/// Settings shared by the small servers ZProxy runs inside its own process (the admin listener and
/// the demo origin): they log through ZProxy's logger factory, and leave process lifetime (signals,
/// the "Application started" banner) to the main application, so there is one Ctrl+C handler and
/// one readiness line. Each still logs its own "Now listening on", followed by a line saying which
/// server it is.
/// </summary>
internal static class EmbeddedServer
{
    public static void Configure(WebApplicationBuilder builder, ILoggerFactory loggerFactory)
    {
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
