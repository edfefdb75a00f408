using Microsoft.Extensions.Options;

namespace ZProxy.Proxy.Caching;

/// <summary>Validates <see cref="CacheOptions"/> at start and on every reload.</summary>
internal sealed class CacheOptionsValidator : IValidateOptions<CacheOptions>
{
    public ValidateOptionsResult Validate(string? name, CacheOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
