using System.Net;
using Alb.Cli;
using Alb.Observability;
using Microsoft.AspNetCore.Connections;

namespace Alb.Fast;

/// <summary><c>ALB_FAST_H1</c>: 1 puts alb's own HTTP/1.1 front end on the plain HTTP listener; 0 or unset, Kestrel's transport (the default).</summary>
internal static class FastFrontEnd
{
    public const string Variable = "ALB_FAST_H1";

    /// <summary>Whether the environment asks for it; throws <see cref="CommandLineException"/> naming the variable on a bad value.</summary>
    public static bool From(Func<string, string?> environment) => environment(Variable) switch
    {
        null or "" or "0" => false,
        "1" when Native.Supported => true,
        "1" => throw new CommandLineException($"{Variable}=1: alb's own front end runs on Linux x86-64 only"),
        var other => throw new CommandLineException($"{Variable}={other}: must be 0 or 1"),
    };

    /// <summary>Registers the listener factory for <paramref name="http"/>; Kestrel prefers the factory registered last.</summary>
    public static void Add(IServiceCollection services, IPEndPoint http, LoopSettings settings, AlbMetrics metrics) =>
        services.AddSingleton<IConnectionListenerFactory>(provider => new FastListenerFactory(http, settings, metrics, provider));
}
