using System.Globalization;
using AlbOperator.Core.Model;
using AlbOperator.Core.Validation;

namespace AlbOperator.Core.Desired;

/// <summary>The arguments of the alb container: <c>alb serve</c> with the flags of <c>alb serve --help</c>.</summary>
public static class AlbCommandLine
{
    /// <param name="spec">A spec after <see cref="Defaults.Apply"/>.</param>
    public static IReadOnlyList<string> For(AlbNames names, AlbSpec spec)
    {
        var hostNetwork = spec.HostNetwork == true;
        var args = new List<string>
        {
            "serve",
            "--http", $"0.0.0.0:{AlbPorts.HttpPort(hostNetwork).ToString(CultureInfo.InvariantCulture)}",
            "--https", $"0.0.0.0:{AlbPorts.HttpsPort(hostNetwork).ToString(CultureInfo.InvariantCulture)}",
            // Every address, not alb's default loopback: the kubelet probes the pod's IP.
            "--admin", $"0.0.0.0:{AlbPorts.Admin.ToString(CultureInfo.InvariantCulture)}",
            "--controller-class", names.Controller,
            "--ingress-class", spec.IngressClass!.Name!,
        };

        if (spec.IngressClass.Default == true)
        {
            // The default class also takes the Ingresses written before it was default (they name no class).
            args.Add("--watch-ingress-without-class");
        }

        args.AddRange(
        [
            "--configmap", $"{names.Namespace}/{names.ConfigMap}",
            "--election-id", names.Lease,
            "--election-namespace", names.Namespace,
        ]);

        // Ingress status: the VIP when there is one; else the Service's address when traffic comes through it;
        // with hostNetwork and no VIP, alb's own fallback (the nodes its ready pods run on).
        if (spec.Vip is { Address: { } vip })
        {
            args.AddRange(["--publish-status-address", VipAddress.TryParse(vip, out var parsed, out _) ? parsed.Address.ToString() : vip]);
        }
        else if (!hostNetwork)
        {
            args.AddRange(["--publish-service", $"{names.Namespace}/{names.Service}"]);
        }

        args.AddRange(
        [
            // The last replica to stop (the Alb deleted) clears the Ingress status it wrote.
            "--update-status-on-shutdown",
            "--shutdown-timeout", AlbPorts.ShutdownTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        ]);
        return args;
    }
}
