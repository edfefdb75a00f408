using ZProxy.Host;

try
{
    var app = ZProxyApplication.Build(ZProxyApplication.CreateBuilder(args));
    await app.RunAsync();
    return 0;
}
catch (Exception error) when (StartupFailure.TryDescribe(error, out var message))
{
    await Console.Error.WriteLineAsync("zproxy: " + message);
    return 1;
}
