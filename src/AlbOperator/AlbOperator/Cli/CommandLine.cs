using System.Globalization;
using System.Net;
using AlbOperator.Core.Validation;
using Edge.Kubernetes;

namespace AlbOperator.Cli;

/// <summary>Parses <c>alb-operator run</c>'s flags (<c>--flag value</c> or <c>--flag=value</c>). Every error names its flag.</summary>
internal static class CommandLine
{
    public static RunOptions ParseRun(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var podNamespace = environment("POD_NAMESPACE");
        var podName = environment("POD_NAME");
        var options = new RunOptions
        {
            Namespace = string.IsNullOrEmpty(podNamespace) ? "default" : podNamespace,
            Identity = string.IsNullOrEmpty(podName) ? Environment.MachineName : podName,
        };
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CommandLineException($"alb-operator run: unexpected argument \"{arg}\" (see alb-operator run --help)");
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var flag = eq > 0 ? arg[..eq] : arg;
            string Value()
            {
                if (eq > 0)
                {
                    return arg[(eq + 1)..];
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new CommandLineException($"alb-operator run: {flag} needs a value");
                }

                return args[++i];
            }

            options = flag switch
            {
                "--kubeconfig" => Value() is var file && File.Exists(file)
                    ? options with { Kubeconfig = file }
                    : throw new CommandLineException($"alb-operator run: --kubeconfig: file \"{file}\" does not exist"),
                "--namespace" => options with { Namespace = Name(flag, Value(), label: true) },
                "--lease-name" => options with { LeaseName = Name(flag, Value(), label: false) },
                "--identity" => Value() is { Length: > 0 and <= 253 } identity && !identity.Any(char.IsWhiteSpace)
                    ? options with { Identity = identity }
                    : throw new CommandLineException($"alb-operator run: --identity: must be 1-253 characters without spaces"),
                "--admin" => options with { Admin = Endpoint(flag, Value()) },
                "--webhook" => options with { Webhook = Endpoint(flag, Value()) },
                "--alb-image" => options with { AlbImage = Image(flag, Value()) },
                "--vipd-image" => options with { VipdImage = Image(flag, Value()) },
                "--log-level" => Value() is var level && level is "debug" or "info" or "warning" or "error"
                    ? options with { LogLevel = level }
                    : throw new CommandLineException("alb-operator run: --log-level: must be debug, info, warning or error"),
                "--lease-duration" => options with { LeaseDuration = Seconds(flag, Value()) },
                "--renew-deadline" => options with { RenewDeadline = Seconds(flag, Value()) },
                "--retry-period" => options with { RetryPeriod = Seconds(flag, Value()) },
                _ => throw new CommandLineException($"alb-operator run: unknown flag {flag} (see alb-operator run --help)"),
            };
        }

        if (options.Kubeconfig is null && !KubeClients.InCluster)
        {
            throw new CommandLineException("alb-operator run: --kubeconfig FILE is required outside a cluster (in a Pod, KUBERNETES_SERVICE_HOST is set)");
        }

        if (options.Admin.Port != 0 && options.Admin.Port == options.Webhook.Port)
        {
            throw new CommandLineException("alb-operator run: --admin and --webhook must use different ports");
        }

        if (options.Election.Validate().FirstOrDefault() is { } timing)
        {
            throw new CommandLineException($"alb-operator run: --lease-duration, --renew-deadline, --retry-period: {timing}");
        }

        return options;
    }

    /// <summary><c>ADDR:PORT</c> or <c>[IPv6]:PORT</c>; <c>:PORT</c> is every address.</summary>
    private static IPEndPoint Endpoint(string flag, string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new CommandLineException($"alb-operator run: {flag}: \"{value}\" is not ADDR:PORT (e.g. 0.0.0.0:9443, [::]:9443, 127.0.0.1:10256)");
        }

        var host = value[..colon].Trim('[', ']');
        if (host.Length == 0)
        {
            return new IPEndPoint(IPAddress.Any, port);
        }

        return host == "localhost" ? new IPEndPoint(IPAddress.Loopback, port)
            : IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port)
            : throw new CommandLineException($"alb-operator run: {flag}: \"{host}\" is not an IP address");
    }

    /// <summary>A namespace (a DNS-1123 label) or an object name (a DNS-1123 subdomain).</summary>
    private static string Name(string flag, string value, bool label)
    {
        var reason = KubeNames.CheckSubdomain(value)
            ?? (label && (value.Length > 63 || value.Contains('.', StringComparison.Ordinal)) ? $"\"{value}\" is not a DNS-1123 label (at most 63 characters, no '.')" : null);
        return reason is null ? value : throw new CommandLineException($"alb-operator run: {flag}: {reason}");
    }

    private static string Image(string flag, string value) =>
        value.Length > 0 && !value.Any(char.IsWhiteSpace)
            ? value
            : throw new CommandLineException($"alb-operator run: {flag}: \"{value}\" is not an image reference");

    /// <summary>Whole seconds, with or without an <c>s</c>: <c>15</c>, <c>15s</c>.</summary>
    private static TimeSpan Seconds(string flag, string value) =>
        int.TryParse(value.AsSpan(0, value.EndsWith('s') ? value.Length - 1 : value.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw new CommandLineException($"alb-operator run: {flag}: \"{value}\" is not a number of seconds (1-3600)");
}
