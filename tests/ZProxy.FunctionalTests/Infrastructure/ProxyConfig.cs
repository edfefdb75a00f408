namespace ZProxy.FunctionalTests.Infrastructure;

/// <summary>Builds the YARP <c>ReverseProxy</c> settings for one catch-all route to one origin.</summary>
internal static class ProxyConfig
{
    public static Dictionary<string, string?> CatchAll(Uri origin, TimeSpan? activityTimeout = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:all:ClusterId"] = "origin",
            ["ReverseProxy:Routes:all:Match:Path"] = "{**catch-all}",
            ["ReverseProxy:Clusters:origin:Destinations:d1:Address"] = origin.ToString(),
        };
        if (activityTimeout is { } timeout)
        {
            settings["ReverseProxy:Clusters:origin:HttpRequest:ActivityTimeout"] = timeout.ToString("c");
        }

        return settings;
    }

    public static Dictionary<string, string?> With(this Dictionary<string, string?> settings, string key, string? value)
    {
        settings[key] = value;
        return settings;
    }
}
