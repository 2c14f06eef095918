using EtcdBackup.Core.Config;

namespace EtcdBackup.Cli;

/// <summary>A parsed command line: the command, its positional arguments, the settings flags and its own flags.</summary>
internal sealed record CommandLine(string Command, IReadOnlyList<string> Positionals,
    IReadOnlyDictionary<string, string> Settings, IReadOnlyDictionary<string, string> Own)
{
    /// <summary>Each command's own flags (true: a switch without a value). Settings flags are accepted everywhere.</summary>
    private static readonly Dictionary<string, Dictionary<string, bool>> OwnFlags = new()
    {
        ["snapshot"] = new() { ["config"] = false, ["log-level"] = false },
        ["run"] = new() { ["config"] = false, ["log-level"] = false },
        ["list"] = new() { ["config"] = false, ["output"] = false },
        ["verify"] = new() { ["config"] = false, ["deep"] = true },
        ["restore"] = new()
        {
            ["config"] = false, ["data-dir"] = false, ["name"] = false, ["initial-cluster"] = false,
            ["initial-advertise-peer-urls"] = false, ["initial-cluster-token"] = false, ["to-revision"] = false, ["to-time"] = false,
        },
        ["prune"] = new() { ["config"] = false, ["dry-run"] = true },
        ["mirror"] = new() { ["config"] = false, ["log-level"] = false },
    };

    public static IEnumerable<string> Commands => OwnFlags.Keys;

    public static CommandLine Parse(string[] args)
    {
        var command = args[0];
        if (!OwnFlags.TryGetValue(command, out var own))
        {
            throw new UsageException($"etcd-backup: unknown command \"{command}\" ({string.Join(", ", Commands)})");
        }

        var positionals = new List<string>();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var ownValues = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                positionals.Add(arg);
                continue;
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? arg[2..] : arg[2..eq];
            var inline = eq < 0 ? null : arg[(eq + 1)..];
            var setting = SettingOption.ByFlag(name);
            bool isSwitch;
            if (own.TryGetValue(name, out var ownSwitch))
            {
                isSwitch = ownSwitch;
            }
            else if (setting is not null)
            {
                isSwitch = setting.IsSwitch;
            }
            else if (IsSecretFlag(name))
            {
                throw new UsageException($"--{name}: secrets are never taken from the command line; use a file or the environment (see --help)");
            }
            else
            {
                throw new UsageException($"--{name}: unknown flag for {command} (see etcd-backup {command} --help)");
            }

            string value;
            if (isSwitch)
            {
                value = inline ?? "true";
            }
            else if (inline is not null)
            {
                value = inline;
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                throw new UsageException($"--{name}: needs a value");
            }

            if (own.ContainsKey(name))
            {
                ownValues[name] = value;
            }
            else
            {
                settings[name] = setting!.Repeatable && settings.TryGetValue(name, out var earlier) ? earlier + SettingOption.RepeatSeparator + value : value;
            }
        }

        return new CommandLine(command, positionals, settings, ownValues);
    }

    private static bool IsSecretFlag(string name) =>
        name.Contains("secret", StringComparison.OrdinalIgnoreCase) || name.Contains("password", StringComparison.OrdinalIgnoreCase) ||
        name is "encryption-key" or "s3-access-key" or "access-key";

    public string? Option(string name) => Own.TryGetValue(name, out var v) ? v : null;

    public string Required(string name) => Option(name) is { Length: > 0 } v ? v : throw new UsageException($"--{name}: required for {Command}");

    public string Single(string what)
    {
        if (Positionals.Count != 1)
        {
            throw new UsageException($"{Command}: expected one {what}, got {Positionals.Count}");
        }

        return Positionals[0];
    }

    public void NoPositionals()
    {
        if (Positionals.Count > 0)
        {
            throw new UsageException($"{Command}: unexpected argument \"{Positionals[0]}\"");
        }
    }
}

internal sealed class UsageException(string message) : Exception(message);
