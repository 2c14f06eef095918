using System.Text.Json;
using VipDaemon.Core.Config;
using VipDaemon.Core.Import;
using VipDaemon.Daemon;

namespace VipDaemon.Cli;

/// <summary><c>vipd check|run|import-keepalived|status</c>. Usage errors print one line and exit 2.</summary>
internal static class VipdCommands
{
    private const string Help = """
        vipd: a VRRP (RFC 5798 v3, RFC 3768 v2) daemon that holds virtual IPs, wire-compatible with keepalived.

        Usage:
          vipd check CONFIG                   validate CONFIG; print every error with its path; exit 0 valid, 1 invalid
          vipd run CONFIG [--log-level L]     run the instances of CONFIG (needs CAP_NET_RAW + CAP_NET_ADMIN)
                                              SIGTERM: priority-0 advert, addresses removed, exit
                                              SIGHUP: reload CONFIG; unchanged instances keep their state
          vipd import-keepalived FILE         convert keepalived.conf to vipd YAML on stdout; what could not be
                                              converted goes to stderr (exit 0; 1 if nothing could be converted)
          vipd status [--admin ADDR:PORT]     show each instance's state, priority, master and last advert
                                              (default admin 127.0.0.1:9105)
          vipd cleanup CONFIG                 remove CONFIG's virtual addresses from their interfaces (the systemd
                                              unit's ExecStopPost, so a crashed daemon never leaves one behind)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Help);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            return args[0] switch
            {
                "check" => Check(Arg(args, "check")),
                "run" => await RunDaemonAsync(args).ConfigureAwait(false),
                "import-keepalived" => Import(Arg(args, "import-keepalived")),
                "status" => await StatusAsync(args).ConfigureAwait(false),
                "cleanup" => Cleanup(Arg(args, "cleanup")),
                _ => Usage($"vipd: unknown command \"{args[0]}\" (check, run, import-keepalived, status)"),
            };
        }
        catch (UsageException e)
        {
            return Usage(e.Message);
        }
    }

    private static int Check(string path)
    {
        var (config, errors) = Load(path);
        foreach (var error in errors)
        {
            Console.Error.WriteLine($"{path}: {error}");
        }

        if (config is null)
        {
            return 1;
        }

        Console.WriteLine($"{path}: valid, {config.Instances.Count} instance(s): {string.Join(", ", config.Instances.Select(i => $"{i.Name} (VRID {i.Vrid} on {i.Interface}, v{i.Version}, priority {i.Priority})"))}");
        return 0;
    }

    private static async Task<int> RunDaemonAsync(string[] args)
    {
        var path = Arg(args, "run");
        var level = "info";
        for (var i = 2; i < args.Length; i++)
        {
            level = args[i] switch
            {
                "--log-level" when i + 1 < args.Length && args[i + 1] is "debug" or "info" or "warning" or "error" => args[++i],
                "--log-level" => throw new UsageException("vipd run: --log-level needs debug, info, warning or error"),
                _ => throw new UsageException($"vipd run: unknown flag {args[i]}"),
            };
        }

        var (config, errors) = Load(path);
        if (config is null)
        {
            foreach (var error in errors)
            {
                Console.Error.WriteLine($"{path}: {error}");
            }

            return 1;
        }

        return await VipdHost.RunAsync(path, config, level).ConfigureAwait(false);
    }

    private static int Cleanup(string path)
    {
        var (config, errors) = Load(path);
        if (config is null)
        {
            foreach (var error in errors)
            {
                Console.Error.WriteLine($"{path}: {error}");
            }

            return 1;
        }

        var failed = 0;
        foreach (var instance in config.Instances)
        {
            foreach (var address in instance.Addresses.Where(a => Net.AddressManager.IsPresent(instance.Interface, a)))
            {
                try
                {
                    Net.AddressManager.Remove(instance.Interface, address);
                    Console.WriteLine($"removed {address} from {instance.Interface} ({instance.Name})");
                }
                catch (InvalidOperationException e)
                {
                    Console.Error.WriteLine(e.Message);
                    failed++;
                }
            }
        }

        return failed == 0 ? 0 : 1;
    }

    private static int Import(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"vipd import-keepalived: {path} does not exist");
        }

        var result = KeepalivedImporter.Convert(File.ReadAllText(path));
        Console.Write(result.Yaml);
        foreach (var note in result.NotConverted)
        {
            Console.Error.WriteLine($"{path}: {note}");
        }

        return result.Yaml.Contains("- name:", StringComparison.Ordinal) ? 0 : 1;
    }

    private static async Task<int> StatusAsync(string[] args)
    {
        var admin = "127.0.0.1:9105";
        if (args.Length == 3 && args[1] == "--admin")
        {
            admin = args[2];
        }
        else if (args.Length != 1)
        {
            throw new UsageException("vipd status: usage: vipd status [--admin ADDR:PORT]");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var json = await http.GetStringAsync(new Uri($"http://{admin}/status")).ConfigureAwait(false);
            var statuses = JsonSerializer.Deserialize(json, StatusJson.Default.ListInstanceStatus) ?? [];
            Console.WriteLine($"{"INSTANCE",-16} {"STATE",-10} {"PRIORITY",8}  {"MASTER",-16} LAST ADVERT");
            foreach (var s in statuses)
            {
                Console.WriteLine($"{s.Name,-16} {s.State.ToString().ToUpperInvariant(),-10} {s.Priority,8}  {s.Master ?? "-",-16} {s.LastAdvert ?? "-"}");
            }

            return 0;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"vipd status: cannot reach vipd at {admin}: {e.Message}");
            return 1;
        }
    }

    private static (VipdConfig? Config, IReadOnlyList<string> Errors) Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"vipd: config file {path} does not exist");
        }

        return ConfigReader.Read(File.ReadAllText(path));
    }

    private static string Arg(string[] args, string command) =>
        args.Length >= 2 && !args[1].StartsWith('-') ? args[1] : throw new UsageException($"vipd {command}: a file argument is required");

    private static int Usage(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    private sealed class UsageException(string message) : Exception(message);
}
