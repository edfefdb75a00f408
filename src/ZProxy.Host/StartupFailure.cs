using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace ZProxy.Host;

/// <summary>
/// Start-up failures the operator can fix: a setting that does not parse or is refused by validation, or an
/// address already in use. <c>Program</c> reports them as one line on stderr and exits with code 1, the way
/// nginx reports an <c>[emerg]</c> error, instead of an unhandled exception's stack trace and an abort. Any
/// other exception is a bug and keeps its stack trace.
/// </summary>
internal static class StartupFailure
{
    public static bool TryDescribe(Exception error, [NotNullWhen(true)] out string? message)
    {
        switch (error)
        {
            case OptionsValidationException validation:
                message = "invalid configuration: " + validation.Message;
                return true;

            // The configuration binder: "Failed to convert configuration value 'x' at 'Key' to type 'T'.", and
            // why in the inner exception ("x is not a valid value for T.").
            case InvalidOperationException conversion when IsThrownBy(conversion, "Microsoft.Extensions.Configuration"):
                message = "invalid configuration: " + WithInnerMessage(conversion);
                return true;

            // YARP refusing the ReverseProxy section: its validation errors are the inner exceptions.
            case InvalidOperationException proxy when IsThrownBy(proxy, "Yarp.ReverseProxy"):
                message = "invalid ReverseProxy configuration: " + WithInnerMessage(proxy);
                return true;

            case IOException bind when bind.InnerException is AddressInUseException:
                message = "cannot listen: " + bind.Message;
                return true;

            case AggregateException aggregate when aggregate.InnerExceptions.Count == 1:
                return TryDescribe(aggregate.InnerExceptions[0], out message);

            default:
                message = null;
                return false;
        }
    }

    private static bool IsThrownBy(Exception error, string namespacePrefix)
        => error.TargetSite?.DeclaringType?.Namespace?.StartsWith(namespacePrefix, StringComparison.Ordinal) == true;

    private static string WithInnerMessage(Exception error)
    {
        var inner = error.InnerException switch
        {
            AggregateException aggregate => string.Join(" ", aggregate.InnerExceptions.Select(e => e.Message)),
            { } other => other.Message,
            null => null,
        };
        return inner is null ? error.Message : $"{error.Message} {inner}";
    }
}
