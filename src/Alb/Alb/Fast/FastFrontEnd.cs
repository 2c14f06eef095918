using System.Net;
using Alb.Cli;
using Alb.Observability;
using Microsoft.AspNetCore.Connections;

namespace Alb.Fast;

/// <summary>
/// <c>ALB_FAST_H1</c>: alb's own HTTP/1.1 front end on the plain HTTP and the HTTPS listener (<c>ALB_FAST_TLS=0</c>:
/// the plain one only). Unset, it is on where it runs (Linux x86-64) and Kestrel's transport elsewhere; 1 requires it;
/// 0 turns it off (Kestrel's transport and TLS for every connection).
/// </summary>
internal static class FastFrontEnd
{
    public const string Variable = "ALB_FAST_H1";

    /// <summary>Whether the front end is installed; throws <see cref="CommandLineException"/> naming the variable on a bad value.</summary>
    public static bool From(Func<string, string?> environment) => environment(Variable) switch
    {
        null or "" => Native.Supported,
        "0" => false,
        "1" when Native.Supported => true,
        "1" => throw new CommandLineException($"{Variable}=1: alb's own front end runs on Linux x86-64 only"),
        var other => throw new CommandLineException($"{Variable}={other}: must be 0 or 1"),
    };

    /// <summary><c>ALB_FAST_TLS</c>: 0 leaves the HTTPS listener to Kestrel's TLS while the loops serve plain HTTP.</summary>
    public const string TlsVariable = "ALB_FAST_TLS";

    /// <summary>Whether the loops take the HTTPS listener too (when the front end is on); throws naming the variable on a bad value.</summary>
    public static bool TlsFrom(Func<string, string?> environment) => environment(TlsVariable) switch
    {
        null or "" or "1" => true,
        "0" => false,
        var other => throw new CommandLineException($"{TlsVariable}={other}: must be 0 or 1"),
    };

    /// <summary>Registers the listener factory for <paramref name="http"/> (and <paramref name="https"/>, unless null); Kestrel prefers the factory registered last.</summary>
    public static void Add(IServiceCollection services, IPEndPoint http, IPEndPoint? https, LoopSettings settings, AlbMetrics metrics) =>
        services.AddSingleton<IConnectionListenerFactory>(provider => new FastListenerFactory(http, https, settings, metrics, provider));
}
