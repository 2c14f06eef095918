namespace Alb.Cli;

/// <summary>
/// Runtime settings alb sets for itself before anything uses a socket (issue 15; the measurements are in
/// docs/performance.md#thread-hops-inline-scheduling-and-inline-socket-completions):
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> runs socket completions on the socket engine's threads instead
/// of handing each to the thread pool. The runtime reads it only from the environment, once, when the first socket is
/// used, so it is set here unless the environment already has it (<c>=0</c> turns it off). Its companion, no
/// spinning in the thread pool's idle workers, is <c>System.Threading.ThreadPool.UnfairSemaphoreSpinLimit=0</c> in
/// alb's runtimeconfig (Alb.csproj; <c>DOTNET_ThreadPool_UnfairSemaphoreSpinLimit</c> overrides it).
/// </summary>
internal static class RuntimeDefaults
{
    public const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Apply()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        }
    }
}
