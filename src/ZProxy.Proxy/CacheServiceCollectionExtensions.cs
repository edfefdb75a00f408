using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ZProxy.PageBlocks;
using ZProxy.Proxy.Caching;

namespace ZProxy.Proxy;

/// <summary>Registers the HTTP cache and its pageblock store, and adds the cache to the proxy pipeline.</summary>
public static class CacheServiceCollectionExtensions
{
    /// <summary>
    /// Adds the cache (options from <c>ZProxy:Cache</c>, reloaded on change) and the pageblock store
    /// (options from <c>ZProxy:Store</c>, read once at start: sizes cannot change under live memory).
    /// </summary>
    public static IReverseProxyBuilder AddZProxyCache(this IReverseProxyBuilder proxy, IConfiguration configuration)
    {
        var services = proxy.Services;
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>();
        services.AddOptions<PageBlockStoreOptions>().Bind(configuration.GetSection(PageBlockStoreOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PageBlockStoreOptions>, StoreOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new PageBlockStore(
            sp.GetRequiredService<IOptions<PageBlockStoreOptions>>().Value,
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp => new HttpCache(sp.GetRequiredService<PageBlockStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CachePolicyResolver>();
        services.AddSingleton<FillTable>();
        services.AddSingleton<CacheMetrics>();
        services.AddSingleton<CachedResponseWriter>();
        services.AddSingleton<BackgroundRevalidator>();
        services.AddSingleton<FullFetcher>();
        return proxy.AddTransforms<CacheRouteValidator>();
    }

    /// <summary>Adds the cache step. Place it before load balancing: a hit never picks a destination.</summary>
    public static IReverseProxyApplicationBuilder UseZProxyCache(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.UseMiddleware<CacheMiddleware>();
        return proxy;
    }

    private sealed class StoreOptionsValidator : IValidateOptions<PageBlockStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, PageBlockStoreOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(errors.Select(e => $"{PageBlockStoreOptions.SectionName}: {e}"));
        }
    }
}
