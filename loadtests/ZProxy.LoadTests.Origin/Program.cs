namespace ZProxy.LoadTests.Origin;

/// <summary>Runs the load-test origin: <c>dotnet ZProxy.LoadTests.Origin.dll --urls http://127.0.0.1:9000</c>.</summary>
public static class Program
{
    public static async Task Main(string[] args)
    {
        var app = LoadTestOriginApp.Build(args);
        await app.RunAsync();
    }
}
