using System.Net;
using System.Reflection;
using Edge.Kubernetes;

namespace AlbOperator.Cli;

/// <summary><c>alb-operator run</c>'s settings, validated by <see cref="CommandLine.ParseRun"/>.</summary>
internal sealed record RunOptions
{
    /// <summary>
    /// The alb image when neither an Alb's <c>spec.image</c> nor <c>--alb-image</c> names one: this release's own,
    /// <c>REPOSITORY/alb:VERSION</c> with the operator's version, set at build time (<c>-p:Version</c>,
    /// <c>-p:EdgeImageRepository</c>), so an operator upgrade rolls alb to the same release. Never <c>:latest</c>.
    /// </summary>
    public static readonly string DefaultAlbImage = typeof(RunOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "EdgeAlbImage").Value!;

    /// <summary>A kubeconfig file; null: the Pod's service account.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The operator's own namespace: its Lease and its webhook Secret live there.</summary>
    public required string Namespace { get; init; }

    public string LeaseName { get; init; } = "alb-operator";

    /// <summary>The holder identity in the Lease, and the User-Agent suffix (<c>alb-operator/IDENTITY</c>).</summary>
    public required string Identity { get; init; }

    public IPEndPoint Admin { get; init; } = new(IPAddress.Loopback, 10256);

    public IPEndPoint Webhook { get; init; } = new(IPAddress.Any, 9443);

    public string AlbImage { get; init; } = DefaultAlbImage;

    /// <summary>The vipd image; null: the alb image's sibling (<c>.../vipd:TAG</c>).</summary>
    public string? VipdImage { get; init; }

    public string LogLevel { get; init; } = "info";

    /// <summary>client-go's 15 s / 10 s / 2 s unless <c>--lease-duration</c>, <c>--renew-deadline</c>, <c>--retry-period</c> say otherwise.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public LeaderElectionOptions Election => new(Namespace, LeaseName, Identity)
    {
        LeaseDuration = LeaseDuration,
        RenewDeadline = RenewDeadline,
        RetryPeriod = RetryPeriod,
    };
}
