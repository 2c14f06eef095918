using System.Globalization;
using Alb.Core.Translation;
using Edge.Kubernetes;

namespace Alb.Cli;

internal enum OutputFormat
{
    Text,
    Json,
}

internal sealed record ValidateCommand(string Directory, OutputFormat Output, TranslationOptions Translation);

internal sealed record ExplainCommand(string Directory, string Host, string Path, string Method, IReadOnlyList<KeyValuePair<string, string>> Headers, OutputFormat Output, TranslationOptions Translation);

/// <summary>Parses alb's command line. Every error is a <see cref="CommandLineException"/> naming the flag.</summary>
internal static class CommandLine
{
    public static ServeOptions ParseServe(IReadOnlyList<string> args)
    {
        var reader = new ArgReader("serve", args);
        var options = new ServeOptions { ManifestDirectory = "" };
        var translation = new TranslationOptions();
        ClusterOptions? cluster = null;
        var clusterFlags = new List<string>();
        while (reader.TryNextFlag(out var flag, out var inline))
        {
            switch (flag)
            {
                case "--manifests":
                    options = options with { ManifestDirectory = reader.Value(flag, inline) };
                    break;
                case "--kubeconfig" or "--watch-namespace" or "--election-id" or "--election-namespace" or "--publish-service"
                    or "--publish-status-address" or "--update-status-on-shutdown":
                    cluster = ClusterFlags.Parse(flag, inline, reader, cluster ?? ClusterFlags.Defaults());
                    clusterFlags.Add(flag);
                    break;
                case "--controller-class":
                    var controller = reader.Value(flag, inline);
                    translation = ClusterFlags.IsControllerName(controller)
                        ? translation with { ControllerClass = controller }
                        : throw new CommandLineException($"alb serve: --controller-class: \"{controller}\" is not a controller name (a domain-prefixed path such as edge.io/alb, up to 250 characters)");
                    break;
                case "--http":
                    options = options with { Http = ArgReader.ParseEndpoint("serve", flag, reader.Value(flag, inline)) };
                    break;
                case "--https":
                    options = options with { Https = ArgReader.ParseEndpoint("serve", flag, reader.Value(flag, inline)) };
                    break;
                case "--admin":
                    options = options with { Admin = ArgReader.ParseEndpoint("serve", flag, reader.Value(flag, inline)) };
                    break;
                case "--access-log":
                    options = options with { AccessLog = reader.Value(flag, inline) };
                    break;
                case "--log-level":
                    var level = reader.Value(flag, inline);
                    options = level is "debug" or "info" or "warning" or "error"
                        ? options with { LogLevel = level }
                        : throw new CommandLineException($"alb serve: --log-level: \"{level}\" is not debug, info, warning or error");
                    break;
                case "--enable-ssl-passthrough":
                    translation = inline is null
                        ? translation with { EnableSslPassthrough = true }
                        : throw new CommandLineException("alb serve: --enable-ssl-passthrough takes no value");
                    break;
                case "--shutdown-timeout":
                    var text = reader.Value(flag, inline);
                    options = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 3600
                        ? options with { ShutdownTimeout = TimeSpan.FromSeconds(seconds) }
                        : throw new CommandLineException($"alb serve: --shutdown-timeout: \"{text}\" is not a number of seconds (0-3600)");
                    break;
                default:
                    translation = TranslationFlag("serve", flag, inline, reader, translation)
                        ?? throw Unknown("serve", flag);
                    break;
            }
        }

        var manifests = !string.IsNullOrEmpty(options.ManifestDirectory);
        if (manifests && cluster?.Kubeconfig is not null)
        {
            throw new CommandLineException("alb serve: --manifests and --kubeconfig exclude each other: serve a directory or a cluster");
        }

        if (manifests && clusterFlags.Count > 0)
        {
            throw new CommandLineException($"alb serve: {clusterFlags[0]} applies to a cluster, not to --manifests");
        }

        if (!manifests)
        {
            if (cluster?.Kubeconfig is null && !KubeClients.InCluster)
            {
                throw new CommandLineException("alb serve: --manifests DIR or --kubeconfig FILE is required (or run in a Pod, where KUBERNETES_SERVICE_HOST is set)");
            }

            options = options with { Cluster = cluster ?? ClusterFlags.Defaults() };
        }
        else if (!System.IO.Directory.Exists(options.ManifestDirectory))
        {
            throw new CommandLineException($"alb serve: --manifests: directory \"{options.ManifestDirectory}\" does not exist");
        }

        var ports = new[] { options.Http, options.Https, options.Admin }.Where(e => e.Port != 0).ToList();
        if (ports.Select(p => p.Port).Distinct().Count() != ports.Count)
        {
            throw new CommandLineException("alb serve: --http, --https and --admin must use different ports");
        }

        return options with { Translation = translation };
    }

    public static ValidateCommand ParseValidate(IReadOnlyList<string> args)
    {
        var reader = new ArgReader("validate", args);
        string? dir = null;
        var output = OutputFormat.Text;
        var translation = new TranslationOptions();
        while (reader.TryNextFlag(out var flag, out var inline))
        {
            if (flag == "--output")
            {
                output = ParseOutput("validate", reader.Value(flag, inline));
            }
            else if (!flag.StartsWith('-') && dir is null)
            {
                dir = flag;
            }
            else
            {
                translation = TranslationFlag("validate", flag, inline, reader, translation) ?? throw Unknown("validate", flag);
            }
        }

        return new ValidateCommand(RequireDirectory("validate", dir), output, translation);
    }

    public static ExplainCommand ParseExplain(IReadOnlyList<string> args)
    {
        var reader = new ArgReader("explain", args);
        string? dir = null, host = null, path = null;
        var method = "GET";
        var output = OutputFormat.Text;
        var headers = new List<KeyValuePair<string, string>>();
        var translation = new TranslationOptions();
        while (reader.TryNextFlag(out var flag, out var inline))
        {
            switch (flag)
            {
                case "--host":
                    host = reader.Value(flag, inline);
                    break;
                case "--path":
                    path = reader.Value(flag, inline);
                    if (!path.StartsWith('/'))
                    {
                        throw new CommandLineException($"alb explain: --path: \"{path}\" must start with '/'");
                    }

                    break;
                case "--method":
                    method = reader.Value(flag, inline).ToUpperInvariant();
                    break;
                case "--header":
                    var header = reader.Value(flag, inline);
                    var eq = header.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        throw new CommandLineException($"alb explain: --header: \"{header}\" is not NAME=VALUE");
                    }

                    headers.Add(new(header[..eq], header[(eq + 1)..]));
                    break;
                case "--output":
                    output = ParseOutput("explain", reader.Value(flag, inline));
                    break;
                default:
                    if (!flag.StartsWith('-') && dir is null)
                    {
                        dir = flag;
                        break;
                    }

                    translation = TranslationFlag("explain", flag, inline, reader, translation) ?? throw Unknown("explain", flag);
                    break;
            }
        }

        if (host is null || path is null)
        {
            throw new CommandLineException($"alb explain: {(host is null ? "--host" : "--path")} is required");
        }

        return new ExplainCommand(RequireDirectory("explain", dir), host, path, method, headers, output, translation);
    }

    private static TranslationOptions? TranslationFlag(string command, string flag, string? inline, ArgReader reader, TranslationOptions translation) =>
        flag switch
        {
            "--ingress-class" => translation with { IngressClass = ClassName(command, reader.Value(flag, inline)) },
            "--watch-ingress-without-class" => inline is null or "true"
                ? translation with { WatchIngressWithoutClass = true }
                : inline == "false" ? translation with { WatchIngressWithoutClass = false }
                : throw new CommandLineException($"alb {command}: --watch-ingress-without-class takes no value (or =true/=false)"),
            "--all-classes" when command != "serve" => inline is null
                ? translation with { AllClasses = true }
                : throw new CommandLineException($"alb {command}: --all-classes takes no value"),
            "--default-ssl-certificate" => translation with { DefaultSslCertificate = ArgReader.ParseObjectRef(command, flag, reader.Value(flag, inline)) },
            "--configmap" => translation with { ConfigMap = ArgReader.ParseObjectRef(command, flag, reader.Value(flag, inline)) },
            _ => null,
        };

    private static string ClassName(string command, string value) =>
        value.Length > 0 && ArgReader.IsDnsName(value)
            ? value
            : throw new CommandLineException($"alb {command}: --ingress-class: \"{value}\" is not a valid class name (lowercase DNS name)");

    private static OutputFormat ParseOutput(string command, string value) => value switch
    {
        "text" => OutputFormat.Text,
        "json" => OutputFormat.Json,
        _ => throw new CommandLineException($"alb {command}: --output: \"{value}\" is not text or json"),
    };

    private static string RequireDirectory(string command, string? dir)
    {
        if (dir is null)
        {
            throw new CommandLineException($"alb {command}: the manifest directory DIR is required");
        }

        return System.IO.Directory.Exists(dir) ? dir : throw new CommandLineException($"alb {command}: directory \"{dir}\" does not exist");
    }

    private static CommandLineException Unknown(string command, string flag) =>
        flag.StartsWith('-')
            ? new($"alb {command}: unknown flag {flag} (see alb {command} --help)")
            : new($"alb {command}: unexpected argument \"{flag}\" (see alb {command} --help)");
}
