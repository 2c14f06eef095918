using System.Net;
using EtcdBackup.Core.Naming;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EtcdBackup.Core.Config;

/// <summary>
/// Builds <see cref="BackupSettings"/> from an optional YAML file and the flags (flags win). Every error is collected
/// and names where the value came from: <c>--keep-last: …</c> or <c>backup.yaml: retention.keepLast: …</c>.
/// </summary>
public static class SettingsReader
{
    public static (BackupSettings? Settings, IReadOnlyList<string> Errors) Read(
        string? yaml, string yamlName, IReadOnlyDictionary<string, string> flags, Func<string, bool> fileExists)
    {
        var errors = new List<string>();
        var values = new Dictionary<string, (string Value, string Source)>(StringComparer.Ordinal);
        if (yaml is not null)
        {
            ReadYaml(yaml, yamlName, values, errors);
        }

        foreach (var (flag, value) in flags)
        {
            if (SettingOption.ByFlag(flag) is { } option)
            {
                values[option.Path] = (value, "--" + flag);
            }
            else
            {
                errors.Add($"--{flag}: unknown flag");
            }
        }

        var r = new SettingValues(values, errors, fileExists);
        var endpoints = r.Endpoints("endpoints", "http://127.0.0.1:2379");
        var admin = r.Text("admin") is null ? null : r.Endpoint("admin", new IPEndPoint(IPAddress.Loopback, 9106));
        var s3 = r.S3();
        var settings = new BackupSettings
        {
            Endpoints = endpoints,
            CaCert = r.File("cacert"),
            Cert = r.File("cert"),
            Key = r.File("key"),
            DialTimeout = r.Duration("dialTimeout", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100)),
            CommandTimeout = r.Duration("commandTimeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)),
            StallTimeout = r.Duration("stallTimeout", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1)),
            LocalDir = r.Text("localDir"),
            S3 = s3,
            NamePrefix = r.Prefix(),
            Compression = r.OneOf("compression", Compressions.None, Compressions.None, Compressions.Zstd),
            EncryptionKeyFile = r.File("encryptionKeyFile"),
            Schedule = r.Schedule(),
            Retention = r.Retention(),
            VerifyAfterSnapshot = r.Switch("verifyAfterSnapshot"),
            Admin = admin ?? new IPEndPoint(IPAddress.Loopback, 9106),
            Mirror = MirrorSettingsReader.Read(r, admin, errors),
            Delta = new DeltaSettings
            {
                Interval = r.Text("delta.interval") is null ? null : r.Duration("delta.interval", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)),
                MaxBytes = r.Int("delta.maxMiB", 16, 1, 256) * (1L << 20),
            },
            LockFile = r.Text("lockFile"),
            EtcdBinary = r.Text("tools.etcd") ?? "etcd",
            EtcdctlBinary = r.Text("tools.etcdctl") ?? "etcdctl",
            EtcdutlBinary = r.Text("tools.etcdutl") ?? "etcdutl",
        };
        if (settings.Cert is null != (settings.Key is null))
        {
            errors.Add("--cert/--key: give both the client certificate and its key, or neither");
        }

        return errors.Count == 0 ? (settings, errors) : (null, errors);
    }

    private static void ReadYaml(string yaml, string yamlName, Dictionary<string, (string, string)> values, List<string> errors)
    {
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode map)
            {
                errors.Add($"{yamlName}: the config must be one YAML mapping");
                return;
            }

            root = map;
        }
        catch (YamlException e)
        {
            errors.Add($"{yamlName}: line {e.Start.Line}: {e.Message.ReplaceLineEndings(" ")}");
            return;
        }

        Flatten(root, "");

        void Flatten(YamlMappingNode map, string prefix)
        {
            foreach (var (keyNode, valueNode) in map.Children)
            {
                var path = prefix + ((YamlScalarNode)keyNode).Value;
                if (valueNode is YamlMappingNode child && SettingOption.All.Any(o => o.Path.StartsWith(path + ".", StringComparison.Ordinal)))
                {
                    Flatten(child, path + ".");
                }
                else if (SettingOption.All.All(o => o.Path != path))
                {
                    errors.Add($"{yamlName}: {path} (line {keyNode.Start.Line}): unknown setting");
                }
                else if (valueNode is YamlScalarNode scalar)
                {
                    values[path] = (scalar.Value ?? "", $"{yamlName}: {path}");
                }
                else if (valueNode is YamlSequenceNode seq && seq.All(n => n is YamlScalarNode))
                {
                    var separator = SettingOption.All.First(o => o.Path == path).Repeatable ? SettingOption.RepeatSeparator : ',';
                    values[path] = (string.Join(separator, seq.Select(n => ((YamlScalarNode)n).Value)), $"{yamlName}: {path}");
                }
                else
                {
                    errors.Add($"{yamlName}: {path} (line {keyNode.Start.Line}): expected a value");
                }
            }
        }
    }
}
