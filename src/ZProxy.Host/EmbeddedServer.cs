namespace ZProxy.Host;

/// <summary>
/// Settings shared by the small servers ZProxy runs inside its own process (the admin listener and
/// the demo origin): they log through ZProxy's logger factory and leave process lifetime (signals,
/// start-up banners) to the main application, so a user sees one "Now listening on" and one Ctrl+C
/// handler.
/// </summary>
internal static class EmbeddedServer
{
    public static void Configure(WebApplicationBuilder builder, ILoggerFactory loggerFactory)
    {
        builder.WebHost.UseSetting(WebHostDefaults.SuppressStatusMessagesKey, "true");
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
