namespace Alb.Cli;

/// <summary>The flags of <c>alb serve</c> that apply to a cluster source, and their defaults from the Pod's environment.</summary>
internal static class ClusterFlags
{
    /// <summary>The cluster defaults that come from the Pod's environment (downward API).</summary>
    public static ClusterOptions Defaults()
    {
        var podNamespace = Environment.GetEnvironmentVariable("POD_NAMESPACE");
        var podName = Environment.GetEnvironmentVariable("POD_NAME");
        return new ClusterOptions
        {
            ElectionNamespace = string.IsNullOrEmpty(podNamespace) ? "default" : podNamespace,
            Identity = string.IsNullOrEmpty(podName) ? Environment.MachineName : podName,
            PodNamespace = string.IsNullOrEmpty(podNamespace) ? null : podNamespace,
            PodName = string.IsNullOrEmpty(podName) ? null : podName,
        };
    }

    public static ClusterOptions Parse(string flag, string? inline, ArgReader reader, ClusterOptions cluster) => flag switch
    {
        "--kubeconfig" => reader.Value(flag, inline) is var file && File.Exists(file)
            ? cluster with { Kubeconfig = file }
            : throw new CommandLineException($"alb serve: --kubeconfig: file \"{file}\" does not exist"),
        "--watch-namespace" => cluster with { WatchNamespace = DnsLabel(flag, reader.Value(flag, inline)) },
        "--election-id" => cluster with { ElectionId = DnsSubdomain(flag, reader.Value(flag, inline)) },
        "--election-namespace" => cluster with { ElectionNamespace = DnsLabel(flag, reader.Value(flag, inline)) },
        "--publish-service" => cluster with { PublishService = ArgReader.ParseObjectRef("serve", flag, reader.Value(flag, inline)) },
        "--publish-status-address" => cluster with { PublishStatusAddress = StatusAddresses(reader.Value(flag, inline)) },
        _ => inline switch // --update-status-on-shutdown
        {
            null or "true" => cluster with { UpdateStatusOnShutdown = true },
            "false" => cluster with { UpdateStatusOnShutdown = false },
            _ => throw new CommandLineException($"alb serve: --update-status-on-shutdown: \"{inline}\" is not true or false"),
        },
    };

    private static string DnsLabel(string flag, string value) =>
        value.Length is > 0 and <= 63 && ArgReader.IsDnsName(value) && !value.Contains('.', StringComparison.Ordinal)
            ? value
            : throw new CommandLineException($"alb serve: {flag}: \"{value}\" is not a valid namespace name (lowercase DNS label)");

    private static string DnsSubdomain(string flag, string value) =>
        value.Length is > 0 and <= 253 && ArgReader.IsDnsName(value)
            ? value
            : throw new CommandLineException($"alb serve: {flag}: \"{value}\" is not a valid name (lowercase DNS subdomain)");

    private static string[] StatusAddresses(string value)
    {
        var addresses = value.Split(',', StringSplitOptions.TrimEntries);
        foreach (var address in addresses)
        {
            if (!System.Net.IPAddress.TryParse(address, out _) && !(address.Length is > 0 and <= 253 && ArgReader.IsDnsName(address.ToLowerInvariant())))
            {
                throw new CommandLineException($"alb serve: --publish-status-address: \"{address}\" is not an IP address or a host name");
            }
        }

        return addresses;
    }

    /// <summary>An IngressClass controller value: a domain-prefixed path (as Kubernetes validates <c>spec.controller</c>).</summary>
    public static bool IsControllerName(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return value.Length <= 250 && slash > 0 && slash < value.Length - 1 && ArgReader.IsDnsName(value[..slash])
            && value[(slash + 1)..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/');
    }
}
