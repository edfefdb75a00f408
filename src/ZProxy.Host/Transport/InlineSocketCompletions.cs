namespace ZProxy.Host.Transport;

/// <summary>
/// The runtime's switch for running socket completions on its event threads instead of dispatching
/// them to the thread pool. The runtime reads it once, when the process's first socket is created, so
/// it is set before ZProxy opens any; a value already in the environment wins.
/// </summary>
internal static class InlineSocketCompletions
{
    public const string VariableName = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Request()
    {
        if (Environment.GetEnvironmentVariable(VariableName) is null)
        {
            Environment.SetEnvironmentVariable(VariableName, "1");
        }
    }

    /// <summary>What the runtime reads (if nothing had created a socket before the request).</summary>
    public static bool IsRequested => Environment.GetEnvironmentVariable(VariableName) == "1";
}
