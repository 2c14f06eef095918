using System.Net;
using Alb.Core.Translation;

namespace Alb.Cli;

/// <summary>The validated settings of <c>alb serve</c>.</summary>
internal sealed record ServeOptions
{
    /// <summary>The manifest directory, or empty when alb reads a cluster (<see cref="Cluster"/>).</summary>
    public required string ManifestDirectory { get; init; }

    /// <summary>Set when alb reads a cluster (<c>--kubeconfig</c>, or in a Pod).</summary>
    public ClusterOptions? Cluster { get; init; }

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

/// <summary>How alb reads a cluster, and what only its leader writes there.</summary>
internal sealed record ClusterOptions
{
    /// <summary>The kubeconfig file; null in a Pod (the service account).</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Only this namespace's Ingresses (and Services, EndpointSlices, Secrets); null = all.</summary>
    public string? WatchNamespace { get; init; }

    public string ElectionId { get; init; } = "alb-leader";

    public string ElectionNamespace { get; init; } = "default";

    /// <summary>This replica's identity in the Lease: <c>POD_NAME</c>, else the host name.</summary>
    public string Identity { get; init; } = Environment.MachineName;

    /// <summary>This replica's Pod, for the node-address fallback (<c>POD_NAMESPACE</c>/<c>POD_NAME</c>).</summary>
    public string? PodNamespace { get; init; }

    public string? PodName { get; init; }

    /// <summary><c>namespace/name</c> of the Service whose addresses go into Ingress status.</summary>
    public string? PublishService { get; init; }

    /// <summary>Addresses written into Ingress status verbatim (first in precedence).</summary>
    public IReadOnlyList<string> PublishStatusAddress { get; init; } = [];

    /// <summary>On shutdown the last running replica clears the status it wrote.</summary>
    public bool UpdateStatusOnShutdown { get; init; } = true;
}
