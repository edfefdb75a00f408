using ZProxy.Host;

var app = ZProxyApplication.Build(ZProxyApplication.CreateBuilder(args));
await app.RunAsync();
