using Microsoft.Extensions.Options;

namespace ZProxy.Transport;

/// <summary>Rejects transport options that cannot work, at startup.</summary>
internal sealed class ZProxyTransportOptionsValidator : IValidateOptions<ZProxyTransportOptions>
{
    // TCP_CA_NAME_MAX is 16 bytes with the terminating NUL.
    private const int MaxCongestionControlName = 15;

    public ValidateOptionsResult Validate(string? name, ZProxyTransportOptions options)
    {
        var failures = new List<string>();
        if (options.Backlog <= 0)
        {
            failures.Add($"{nameof(options.Backlog)} must be positive.");
        }

        if (options.MaxReadBufferSize is < 0)
        {
            failures.Add($"{nameof(options.MaxReadBufferSize)} must not be negative.");
        }

        if (options.MaxWriteBufferSize is < 0)
        {
            failures.Add($"{nameof(options.MaxWriteBufferSize)} must not be negative.");
        }

        if (options.CongestionControl is { } algorithm
            && (algorithm.Length is 0 or > MaxCongestionControlName || !algorithm.All(char.IsAsciiLetterOrDigit)))
        {
            failures.Add($"{nameof(options.CongestionControl)} must be an algorithm name of 1 to {MaxCongestionControlName} ASCII letters and digits (was '{algorithm}').");
        }

        if (options.PacedSendLimit is < 4096)
        {
            failures.Add($"{nameof(options.PacedSendLimit)} must be at least 4096 bytes when set.");
        }

        if (options.SocketSendBufferSize is <= 0)
        {
            failures.Add($"{nameof(options.SocketSendBufferSize)} must be positive when set.");
        }

        if (options.SendfileThreshold is <= 0)
        {
            failures.Add($"{nameof(options.SendfileThreshold)} must be positive when set.");
        }

        if (options.HeartbeatInterval <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(options.HeartbeatInterval)} must be positive.");
        }

        if (options.TimeProvider is null)
        {
            failures.Add($"{nameof(options.TimeProvider)} must be set.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
