using System.Net;
using Alb.Core.Translation;

namespace Alb.Cli;

/// <summary>The validated settings of <c>alb serve</c>.</summary>
internal sealed record ServeOptions
{
    public required string ManifestDirectory { get; init; }

    public IPEndPoint Http { get; init; } = new(IPAddress.Any, 8080);

    public IPEndPoint Https { get; init; } = new(IPAddress.Any, 8443);

    public IPEndPoint Admin { get; init; } = new(IPAddress.Loopback, 10254);

    public TranslationOptions Translation { get; init; } = new();

    /// <summary>"stdout", "off", or a file path.</summary>
    public string AccessLog { get; init; } = "stdout";

    public string LogLevel { get; init; } = "info";

    /// <summary>Time allowed for in-flight requests on SIGTERM.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
